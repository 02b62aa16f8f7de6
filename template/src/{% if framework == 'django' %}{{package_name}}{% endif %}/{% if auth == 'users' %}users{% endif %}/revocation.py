"""Revoking tokens, in the database: durable (a Redis restart or flush never un-revokes a token) and seen by every
replica within about a second (core/revoked_tokens.py reloads the live rows every second).

An access token is a JWT nobody can recall; it is refused by its id (`jti`, a `RevokedToken` row) until it would
have expired (its `exp` plus AUTH_LEEWAY). Each refresh token row remembers the access token issued with it, so
revoking a family (logout, a spent refresh token presented again) or every family of a user (deactivation,
deletion, a password change) revokes their access tokens too.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime

from asgiref.sync import sync_to_async
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..integrations import wiring
from .models import RefreshToken, RevokedToken, User

logger = logging.getLogger(__name__)


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
    moment = datetime.fromtimestamp(until, UTC)
    with transaction.atomic():
        RevokedToken.objects.bulk_create([RevokedToken(jti=token_id, expires_at=moment)], ignore_conflicts=True)
        RevokedToken.objects.filter(jti=token_id, expires_at__lt=moment).update(expires_at=moment)


def live_revocations(now: float) -> dict[str, float]:
    moment = datetime.fromtimestamp(now, UTC)
    RevokedToken.objects.filter(expires_at__lte=moment).delete()  # refused by their exp anyway
    rows = RevokedToken.objects.filter(expires_at__gt=moment).values_list("jti", "expires_at")
    return {token_id: expires_at.timestamp() for token_id, expires_at in rows}


def revoke_access_token(token_id: str, expires_at: float) -> None:
    """Refuse the access token `token_id` (which expires at `expires_at`, Unix seconds) everywhere, and in this
    process at once. Raises the database's error when it cannot be recorded (nothing is revoked then)."""
    until = expires_at + django_settings.SERVICE_SETTINGS.auth_leeway
    if until <= timezone.now().timestamp():
        return  # expired: nothing accepts it anyway
    record_revocation(token_id, until)
    revoked = wiring().revoked_tokens
    if revoked is not None:
        transaction.on_commit(lambda: revoked.remember(token_id, until))


def revoke_families(*families: str) -> int:
    """Revoke every refresh token of `families` and the access tokens issued with them; how many were live."""
    return _revoke(RefreshToken.objects.filter(family__in=families))


def revoke_user_tokens(user: User, *, keep_family: str | None = None) -> int:
    """Revoke every token of `user` (but the family `keep_family`: the session changing its own password)."""
    rows = RefreshToken.objects.filter(user=user)
    if keep_family is not None:
        rows = rows.exclude(family=keep_family)
    return _revoke(rows)


def _revoke(rows: QuerySet[RefreshToken]) -> int:
    now = timezone.now()
    with transaction.atomic():
        for token_id, expires_at in rows.filter(access_expires_at__gt=now).values_list(
            "access_token_id", "access_expires_at"
        ):
            revoke_access_token(token_id, expires_at.timestamp())
        return rows.filter(revoked_at__isnull=True, expires_at__gt=now).update(revoked_at=now)
