"""Revoking tokens, in the database: durable (a Redis restart or flush never un-revokes a token) and seen by every
replica at once (the bearer authentication asks the database about each token id).

An access token is a JWT nobody can recall; it is refused by its id (`jti`, a `RevokedToken` row) until it would
have expired. Each refresh token row remembers the access token issued with it, so revoking a family (logout, a
spent refresh token presented again) or every family of a user (deactivation, deletion, a password change) revokes
their access tokens too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from uuid import UUID

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import RefreshToken, RevokedToken, User

logger = logging.getLogger(__name__)


def revoke_token_id(token_id: str, expires_at: datetime | int) -> None:
    """Refuse the access token `token_id` until `expires_at` (a datetime, or Unix seconds)."""
    until = datetime.fromtimestamp(expires_at, UTC) if isinstance(expires_at, int) else expires_at
    if until > timezone.now():
        RevokedToken.objects.update_or_create(jti=token_id, defaults={"expires_at": until})


def is_revoked(token_id: str) -> bool:
    return RevokedToken.objects.filter(jti=token_id, expires_at__gt=timezone.now()).exists()


def revoke_families(families: Iterable[UUID]) -> int:
    """Revoke every refresh token of `families` and the access tokens issued with them; how many rows changed."""
    return _revoke(RefreshToken.objects.filter(family__in=list(families)))


def revoke_user_tokens(user: User, *, keep_family: UUID | None = None) -> int:
    """Revoke every token of `user` (but the family `keep_family`: the session changing its own password)."""
    rows = RefreshToken.objects.filter(user=user)
    if keep_family is not None:
        rows = rows.exclude(family=keep_family)
    return _revoke(rows)


def _revoke(rows: QuerySet[RefreshToken]) -> int:
    now = timezone.now()
    live = rows.filter(Q(revoked_at__isnull=True) | Q(access_expires_at__gt=now))
    with transaction.atomic():
        for token_id, expires_at in live.filter(access_expires_at__gt=now).values_list(
            "access_token_id", "access_expires_at"
        ):
            revoke_token_id(token_id, expires_at)
        return live.filter(revoked_at__isnull=True).update(revoked_at=now)


def forget_expired() -> int:
    """Delete what can no longer matter: revocations and refresh tokens past their expiry."""
    now = timezone.now()
    revoked = RevokedToken.objects.filter(expires_at__lte=now).delete()[0]
    return revoked + RefreshToken.objects.filter(expires_at__lte=now).delete()[0]
