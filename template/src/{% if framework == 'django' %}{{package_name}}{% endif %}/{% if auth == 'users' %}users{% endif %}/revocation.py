"""Revoking tokens, in the database: durable (a Redis restart or flush never un-revokes a token) and seen by every
replica within about a second (core/revoked_tokens.py reloads the live rows every second).

An access token is a JWT nobody can recall; it is refused by its id (`jti`, a `RevokedToken` row of the
`revocations` app) until it would have expired (its `exp` plus AUTH_LEEWAY). Each refresh token row remembers the
access token issued with it, so revoking a family (logout, a spent refresh token presented again) or every family
of a user (deactivation, deletion, a password change) revokes their access tokens too.

A family may grow while it is revoked: a refresh on another replica spends a member and records the next one in one
transaction. PostgreSQL (READ COMMITTED) shows a statement only the rows committed when it began, so the rows are
locked and revoked in rounds until a round finds none left: a round waits for every refresh holding a member's row,
and the next round sees the member that refresh created. A refresh that comes later waits for the revocation's locks
and then finds its token revoked. (SQLite has one writer at a time: one round finds everything.)
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..integrations import wiring
from ..revocations.store import revoke_access_token
from .models import RefreshToken, User

logger = logging.getLogger(__name__)


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
    revoked = wiring().revoked_tokens
    live = 0
    with transaction.atomic():
        while unrevoked := list(
            # In primary-key order: two revocations of one family lock its rows in the same order (no deadlock).
            rows.filter(revoked_at__isnull=True).select_for_update().order_by("pk").values_list("pk", "expires_at")
        ):
            rows.filter(pk__in=[pk for pk, _ in unrevoked]).update(revoked_at=now)
            live += sum(1 for _, expires_at in unrevoked if expires_at > now)
        for token_id, expires_at in rows.filter(access_expires_at__gt=now).values_list(
            "access_token_id", "access_expires_at"
        ):
            revoke_access_token(token_id, expires_at.timestamp(), revoked)
    return live
