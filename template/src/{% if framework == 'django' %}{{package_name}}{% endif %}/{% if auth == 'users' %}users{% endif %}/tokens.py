"""Signing in, the OAuth2 way (RFC 6749), for the token endpoint and its JSON twins: core/accounts/sign_in.py's
rules on the ORM (`SignInStore`, synchronous: core/flows.py's `run_unsuspended` runs them in the request's thread).
Each refresh token's row locks while it is spent, until the transaction that records the next one commits: a
second use waits for it, then finds the token spent and the next one on record. A family is revoked with the members
created meanwhile (revocation.py).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, Final

from django.conf import settings as django_settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import connection, transaction
from django.utils import timezone

from ..audit.recording import record
from ..core.accounts import sign_in
from ..core.accounts.audit import AuditEvent, Origin
from ..core.accounts.grants import PasswordGrant, RefreshGrant
from ..core.accounts.sign_in import IssuedRefreshToken, SignInAccount, StoredRefreshToken
from ..core.accounts.tokens import AccessTokenIssuer
from ..core.flows import run_unsuspended
from ..integrations import wiring
from ..integrations.accounts import dummy_hash
from .models import RefreshToken, User
from .revocation import revoke_families


def release_connection() -> None:
    """Give this thread's database connection back to the pool (the next query takes one again) before a password
    hash, which takes a fraction of a second: requests waiting for a connection meanwhile would time out (503). A
    connection that a transaction holds (the caller's) stays."""
    if not connection.in_atomic_block:
        connection.close()


def password_login(grant: PasswordGrant, origin: Origin) -> dict[str, Any]:
    return run_unsuspended(sign_in.password_login(STORE, grant, origin))


def refresh(grant: RefreshGrant, origin: Origin) -> dict[str, Any]:
    return run_unsuspended(sign_in.refresh(STORE, grant, origin))


class _Store:
    """core/accounts/sign_in.py's `SignInStore` on the ORM, Django's password hashers and the service's issuer."""

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[_Rows]:
        with transaction.atomic():
            yield _Rows()

    async def account_by_email(self, email: str) -> SignInAccount | None:
        user = User.objects.filter(email=email).first()
        release_connection()  # a burst of logins would otherwise hold every pooled connection while hashing
        return _account(user)

    async def verify_password(self, password: str, account: SignInAccount | None) -> tuple[bool, str | None]:
        if account is None:
            check_password(password, dummy_hash())
            return False, None
        rehashed: list[str] = []
        matches = check_password(password, account.password_hash, lambda raw: rehashed.append(make_password(raw)))
        return matches, rehashed[-1] if rehashed else None

    def access_token_issuer(self) -> AccessTokenIssuer:
        issuer = wiring().access_tokens
        if issuer is None:
            raise RuntimeError("no access-token issuer: integrations.accounts did not run")
        return issuer

    def refresh_token_ttl_s(self) -> int:
        ttl_s: int = django_settings.SERVICE_SETTINGS.auth_refresh_token_ttl
        return ttl_s

    def route_scopes(self) -> frozenset[str]:
        return _route_scopes()


@functools.cache
def _route_scopes() -> frozenset[str]:
    """Every scope the routed views declare (once: the routes are fixed)."""
    from ..api.scopes import declared_scopes  # noqa: PLC0415 - the views, which need the app registry

    return declared_scopes()


class _Rows:
    """core/accounts/sign_in.py's `SignInRows` on the ORM, inside the store's `transaction.atomic()`."""

    async def account(self, user_id: Any) -> SignInAccount | None:
        return _account(User.objects.filter(pk=user_id).first())

    async def signing_in(self, account: SignInAccount, new_password_hash: str | None) -> SignInAccount | None:
        rehash = {} if new_password_hash is None else {"password": new_password_hash}
        signing_in = User.objects.filter(pk=account.id, is_active=True, is_verified=True)
        return account if signing_in.update(last_login=timezone.now(), **rehash) else None

    async def refresh_token(self, digest: str) -> StoredRefreshToken | None:
        # A revoked token is one presented again, like a spent one: `spend_refresh_token` refuses both.
        token = RefreshToken.objects.filter(token_hash=digest).first()
        if token is None:
            return None
        asked = None if token.requested_scope is None else token.requested_scope.split()
        return StoredRefreshToken(token.family, token.user_id, token.expires_at.timestamp(), asked)

    async def spend_refresh_token(self, digest: str) -> bool:
        live = RefreshToken.objects.filter(token_hash=digest, used_at__isnull=True, revoked_at__isnull=True)
        return bool(live.update(used_at=timezone.now()))

    async def add_refresh_token(self, token: IssuedRefreshToken) -> None:
        RefreshToken.objects.create(
            token_hash=token.digest,
            family=token.family,
            user_id=token.user_id,
            scope=" ".join(token.scopes),
            requested_scope=None if token.requested_scopes is None else " ".join(token.requested_scopes),
            access_token_id=token.access_token_id,
            access_expires_at=datetime.fromtimestamp(token.access_expires_at, UTC),
            expires_at=datetime.fromtimestamp(token.expires_at, UTC),
        )

    async def revoke_family(self, family: str) -> None:
        revoke_families(family)

    async def record_audit(self, event: AuditEvent) -> None:
        record(event)


def _account(user: User | None) -> SignInAccount | None:
    if user is None:
        return None
    return SignInAccount(user.pk, user.password, user.is_active, user.is_verified, user.scopes, user.roles)


STORE: Final = _Store()
