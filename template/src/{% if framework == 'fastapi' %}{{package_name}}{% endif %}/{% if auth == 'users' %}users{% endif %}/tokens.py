"""Signing users in and out: the token endpoint's two grants (core/accounts/sign_in.py says how, on `Tokens`'
accounts and refresh tokens), logout, and ending a user's sessions.

Ending a user's sessions (deactivation, deletion, a new password) revokes every family of the user and the access
tokens issued with them.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..audit import store as audit_store
from ..core.accounts import sign_in
from ..core.accounts.audit import AuditEvent, Origin
from ..core.accounts.grants import PasswordGrant, RefreshGrant
from ..core.accounts.sign_in import IssuedRefreshToken, SignInAccount, StoredRefreshToken
from ..core.accounts.tokens import AccessTokenIssuer
from ..core.auth import Principal
from ..core.revoked_tokens import RevokedTokens
from ..database import session_transaction
from . import store
from .passwords import Passwords


@dataclass
class Tokens:
    """core/accounts/sign_in.py's `SignInStore` on the service's database, and its sessions' ends."""

    sessions: async_sessionmaker[AsyncSession]
    issuer: AccessTokenIssuer
    revoked: RevokedTokens
    passwords: Passwords
    refresh_ttl_s: int
    route_scopes: Callable[[], frozenset[str]] = frozenset
    """Every scope the routes declare: what a role holding `*` gives (roles.py's `admin`)."""

    async def password_login(self, grant: PasswordGrant, origin: Origin) -> dict[str, Any]:
        return await sign_in.password_login(self, grant, origin)

    async def refresh(self, grant: RefreshGrant, origin: Origin) -> dict[str, Any]:
        return await sign_in.refresh(self, grant, origin)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[_SignInRows]:
        async with session_transaction(self.sessions) as session:
            rows = _SignInRows(session)
            yield rows
        await self.revoke_access_tokens(rows.ended)

    async def account_by_email(self, email: str) -> SignInAccount | None:
        # Its own short transaction: argon2 takes a fraction of a second, and a pooled connection held meanwhile
        # would let a burst of logins starve every other request of connections.
        async with session_transaction(self.sessions) as session:
            return _account(await store.user_row(session, email=email))

    async def verify_password(self, password: str, account: SignInAccount | None) -> tuple[bool, str | None]:
        return await self.passwords.verify(password, None if account is None else account.password_hash)

    def access_token_issuer(self) -> AccessTokenIssuer:
        return self.issuer

    def refresh_token_ttl_s(self) -> int:
        return self.refresh_ttl_s

    async def logout(self, principal: Principal) -> None:
        """Revoke the access token and the refresh family it was issued with."""
        if principal.token_id is None:
            return
        await self.revoked.revoke(principal.token_id, principal.expires_at)
        async with session_transaction(self.sessions) as session:
            family_id = await store.family_of_access_token(session, principal.token_id)
            access = [] if family_id is None else await store.end_sessions(session, family_id=family_id)
        await self.revoke_access_tokens(access)

    async def end_user_sessions(self, user_id: UUID, *, keep_token_id: str | None = None) -> None:
        """Sign the user out everywhere (but the session of `keep_token_id`, the caller's own, when given), in a
        transaction of its own. A change that calls for it (a new password, a disabled account) uses
        `sign_out_everywhere` in its own transaction instead."""
        async with session_transaction(self.sessions) as session:
            access = await self.sign_out_everywhere(session, user_id, keep_token_id=keep_token_id)
        await self.revoke_access_tokens(access)

    async def sign_out_everywhere(
        self, session: AsyncSession, user_id: UUID, *, keep_token_id: str | None = None
    ) -> list[tuple[str, int]]:
        """Revoke every refresh token of the user (but the login of `keep_token_id`) in the caller's transaction: the
        one that sets a new password or disables the account, so the change and the sign-out commit together or not
        at all. Returns the access tokens issued with them: pass them to `revoke_access_tokens` once it committed."""
        keep = None if keep_token_id is None else await store.family_of_access_token(session, keep_token_id)
        return await store.end_sessions(session, user_id=user_id, keep_family=keep)

    async def revoke_access_tokens(self, access: list[tuple[str, int]]) -> None:
        """Add the access tokens `store.end_sessions` returned to the revoked list: after the transaction that ended
        their sessions has committed (the list is not in the database's transaction)."""
        for token_id, expires_at in access:
            await self.revoked.revoke(token_id, expires_at)


class _SignInRows:
    """core/accounts/sign_in.py's `SignInRows` on one session (its transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.ended: list[tuple[str, int]] = []
        """The access tokens of the families revoked: revoked once the transaction committed (`Tokens.transaction`)."""

    async def account(self, user_id: UUID) -> SignInAccount | None:
        return _account(await store.user_row(self.session, user_id=user_id))

    async def signing_in(self, account: SignInAccount, new_password_hash: str | None) -> SignInAccount | None:
        current = await store.user_row(self.session, user_id=account.id)
        if current is None or not current.is_active:
            return None
        if new_password_hash is not None:
            await store.update_user(self.session, account.id, {"password_hash": new_password_hash})
        return _account(current)

    async def refresh_token(self, digest: str) -> StoredRefreshToken | None:
        row = await store.refresh_token_row(self.session, digest)
        if row is None or row.revoked_at is not None:
            return None
        return StoredRefreshToken(row.family_id, row.user_id, row.expires_at, row.requested_scopes)

    async def spend_refresh_token(self, digest: str) -> bool:
        return await store.spend_refresh_token(self.session, digest)

    async def add_refresh_token(self, token: IssuedRefreshToken) -> None:
        await store.add_refresh_token(
            self.session,
            {
                "token_hash": token.digest,
                "family_id": token.family,
                "user_id": token.user_id,
                "scopes": list(token.scopes),
                "requested_scopes": token.requested_scopes,
                "access_token_id": token.access_token_id,
                "access_expires_at": token.access_expires_at,
                "expires_at": token.expires_at,
            },
        )

    async def revoke_family(self, family: str) -> None:
        self.ended += await store.end_sessions(self.session, family_id=family)

    async def record_audit(self, event: AuditEvent) -> None:
        await audit_store.record(self.session, event)


def _account(row: Any) -> SignInAccount | None:
    if row is None:
        return None
    # A service that sends no email verifies none: its accounts have no `is_verified`, and every one may sign in.
    is_verified = getattr(row, "is_verified", True)
    return SignInAccount(row.id, row.password_hash, row.is_active, is_verified, row.scopes, row.roles)
