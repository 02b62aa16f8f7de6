"""Revoked token ids in the `RevokedToken` table: core/revoked_tokens.py's `RevokedTokenStore`, and the synchronous
writes a view makes inside its own transaction (`revoke_access_token`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from asgiref.sync import sync_to_async
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

from ..core.revoked_tokens import RevokedTokens, stored_id
from .models import RevokedToken


class DatabaseRevokedTokenStore:
    """core/revoked_tokens.py's `RevokedTokenStore` on the `RevokedToken` table."""

    async def add(self, token_id: str, until: float) -> None:
        await sync_to_async(record_revocation)(token_id, until)  # within a request: its connection

    async def live(self, now: float) -> Mapping[str, float]:
        return await sync_to_async(_live_revocations_then_close)(now)


def _live_revocations_then_close(now: float) -> dict[str, float]:
    """The reload, run every second outside any request: its connection goes back to the pool at once (Django
    returns a thread's connection at the end of a request, and this thread never serves one)."""
    try:
        return live_revocations(now)
    finally:
        connection.close()


def record_revocation(token_id: str, until: float) -> None:
    """Refuse `token_id` until `until` (Unix seconds), lengthening an earlier revocation, never shortening it."""
    token_id = stored_id(token_id)
    moment = datetime.fromtimestamp(until, UTC)
    with transaction.atomic():
        RevokedToken.objects.bulk_create([RevokedToken(jti=token_id, expires_at=moment)], ignore_conflicts=True)
        RevokedToken.objects.filter(jti=token_id, expires_at__lt=moment).update(expires_at=moment)


def live_revocations(now: float) -> dict[str, float]:
    moment = datetime.fromtimestamp(now, UTC)
    RevokedToken.objects.filter(expires_at__lte=moment).delete()  # refused by their exp anyway
    rows = RevokedToken.objects.filter(expires_at__gt=moment).values_list("jti", "expires_at")
    return {token_id: expires_at.timestamp() for token_id, expires_at in rows}


def revoke_access_token(token_id: str, expires_at: float, revoked: RevokedTokens | None) -> None:
    """Refuse the access token `token_id` (which expires at `expires_at`, Unix seconds) everywhere, and in this
    process (`revoked`: the wiring's in-memory list) once the transaction commits. Raises the database's error when
    it cannot be recorded (nothing is revoked then). The caller passes `revoked`: this package sits below
    `integrations`, which builds its store."""
    until = expires_at + django_settings.SERVICE_SETTINGS.auth_leeway
    if until <= timezone.now().timestamp():
        return  # expired: nothing accepts it anyway
    record_revocation(token_id, until)
    if revoked is not None:
        transaction.on_commit(lambda: revoked.remember(token_id, until))
