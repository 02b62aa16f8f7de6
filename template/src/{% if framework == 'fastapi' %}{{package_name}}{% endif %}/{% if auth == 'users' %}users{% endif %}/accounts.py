"""Signing users in and out: the token endpoint's two grants, logout, and ending a user's sessions.

A login issues an access token and the first refresh token of a new *family*; each refresh spends its token and
issues the next of the same family. A spent token presented again means two parties hold it: the family is revoked
(its live access tokens too) and a security event is logged. Ending a user's sessions (deactivation, deletion, a new
password) revokes every family of the user and the access tokens issued with them.

Unknown email, wrong password and inactive account give one answer (`INVALID_CREDENTIALS`), after the same work: a
password hash is verified in every case (a dummy one for an unknown email).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..core.accounts.emails import login_email
from ..core.accounts.grants import (
    INVALID_CREDENTIALS,
    INVALID_REFRESH,
    OAuthError,
    PasswordGrant,
    RefreshGrant,
    granted_scopes,
    token_response,
)
from ..core.accounts.tokens import AccessTokenIssuer, new_family_id, new_refresh_token, refresh_token_digest
from ..core.auth import Principal
from ..core.revoked_tokens import RevokedTokens
from ..database import session_transaction
from . import store
from .passwords import Passwords

logger = logging.getLogger(__name__)
security_log = logging.getLogger(f"{__name__.partition('.')[0]}.security")


@dataclass
class Accounts:
    sessions: async_sessionmaker[AsyncSession]
    issuer: AccessTokenIssuer
    revoked: RevokedTokens
    passwords: Passwords
    refresh_ttl_s: int

    async def password_login(self, grant: PasswordGrant) -> dict[str, Any]:
        email = login_email(grant.username)  # None: no account can have it (an invisible character, say)
        # The hash is verified between two short transactions: argon2 takes a fraction of a second, and a pooled
        # connection held meanwhile would let a burst of logins starve every other request of connections.
        async with session_transaction(self.sessions) as session:
            row = None if email is None else await store.user_row(session, email=email)
        matches, new_hash = await self.passwords.verify(grant.password, None if row is None else row.password_hash)
        if row is None or not matches or not row.is_active:
            raise OAuthError("invalid_grant", INVALID_CREDENTIALS)
        async with session_transaction(self.sessions) as session:
            current = await store.user_row(session, user_id=row.id)
            if current is None or not current.is_active:  # deactivated or deleted meanwhile
                raise OAuthError("invalid_grant", INVALID_CREDENTIALS)
            if new_hash is not None:  # hashed with older parameters: store the stronger hash
                await store.update_user(session, row.id, {"password_hash": new_hash})
            scopes = granted_scopes(current.scopes, grant.scopes)
            return await self._issue(session, row.id, scopes, family_id=new_family_id())

    async def refresh(self, grant: RefreshGrant) -> dict[str, Any]:
        digest = refresh_token_digest(grant.refresh_token)
        async with session_transaction(self.sessions) as session:
            row = await store.refresh_token_row(session, digest)
            if row is None or row.expires_at <= time.time() or row.revoked_at is not None:
                raise OAuthError("invalid_grant", INVALID_REFRESH)
            reused: tuple[str, UUID] = (row.family_id, row.user_id)
            if await store.spend_refresh_token(session, digest):
                user = await store.user_row(session, user_id=row.user_id)
                if user is None or not user.is_active:
                    raise OAuthError("invalid_grant", INVALID_REFRESH)
                # A refresh may narrow the scopes, never widen them past the login's or the user's current ones.
                scopes = granted_scopes(set(row.scopes) & set(user.scopes), grant.scopes)
                return await self._issue(session, row.user_id, scopes, family_id=row.family_id)
        family_id, user_id = reused
        await self._revoke_reused(
            family_id, user_id
        )  # after the failed attempt's transaction: a rollback cannot undo it
        raise OAuthError("invalid_grant", INVALID_REFRESH)

    async def logout(self, principal: Principal) -> None:
        """Revoke the access token and the refresh family it was issued with."""
        if principal.token_id is None:
            return
        await self.revoked.revoke(principal.token_id, principal.expires_at)
        async with session_transaction(self.sessions) as session:
            family_id = await store.family_of_access_token(session, principal.token_id)
            access = [] if family_id is None else await store.end_sessions(session, family_id=family_id)
        await self._revoke_access(access)

    async def end_user_sessions(self, user_id: UUID, *, keep_token_id: str | None = None) -> None:
        """Sign the user out everywhere (but the session of `keep_token_id`, the caller's own, when given)."""
        async with session_transaction(self.sessions) as session:
            keep = None if keep_token_id is None else await store.family_of_access_token(session, keep_token_id)
            access = await store.end_sessions(session, user_id=user_id, keep_family=keep)
        await self._revoke_access(access)

    async def _issue(
        self, session: AsyncSession, user_id: UUID, scopes: frozenset[str], *, family_id: str
    ) -> dict[str, Any]:
        now = time.time()
        access = self.issuer.issue(str(user_id), scopes, now=now)
        refresh = new_refresh_token(self.refresh_ttl_s, now=now)
        await store.add_refresh_token(
            session,
            {
                "token_hash": refresh.digest,
                "family_id": family_id,
                "user_id": user_id,
                "scopes": sorted(scopes),
                "access_token_id": access.token_id,
                "access_expires_at": access.expires_at,
                "expires_at": refresh.expires_at,
            },
        )
        return token_response(access, refresh.token, now=now)

    async def _revoke_reused(self, family_id: str, user_id: UUID) -> None:
        async with session_transaction(self.sessions) as session:
            access = await store.end_sessions(session, family_id=family_id)
        await self._revoke_access(access)
        security_log.warning(
            "Security: a spent refresh token was presented again; its login (family %s) of user %s is revoked",
            family_id,
            user_id,
        )

    async def _revoke_access(self, access: list[tuple[str, int]]) -> None:
        for token_id, expires_at in access:
            await self.revoked.revoke(token_id, expires_at)
