"""Signing in, once for every framework: the token endpoint's two grants (grants.py's language) over a framework's
accounts and refresh tokens (`SignInStore`: SQLAlchemy's in FastAPI, the ORM's in Django, which core/flows.py's
`run_unsuspended` drives).

- Unknown email, wrong password, an account that is disabled or whose email is not verified yet (a sign-up): one
  answer (`INVALID_CREDENTIALS`), after the same work: a password hash is checked in every case (a dummy one for an
  unknown email), and the attempt is an audit event whose reason is for the trail's readers alone. No database
  connection is held while a hash is checked: a burst of logins would otherwise hold every pooled connection.
- A login issues an access token and the first refresh token of a new *family* (tokens.py); each refresh spends its
  token (a conditional update: of two concurrent uses, one wins) in the transaction that records the next one.
- A spent token presented again means two parties hold it: its whole family is revoked (its live access tokens too),
  an audit event and a security log line say so.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from .audit import AuditEvent, AuditKind, FailedSignInReason, Origin, audit_event
from .emails import login_email
from .grants import (
    INVALID_CREDENTIALS,
    INVALID_REFRESH,
    OAuthError,
    PasswordGrant,
    RefreshGrant,
    granted_scopes,
    refreshed_scopes,
    token_response,
)
from .roles import held_scopes
from .tokens import AccessTokenIssuer, new_family_id, new_refresh_token, refresh_token_digest

logger = logging.getLogger(__name__)
security_log = logging.getLogger(f"{__name__.partition('.')[0]}.security")


@dataclass(frozen=True, slots=True)
class SignInAccount:
    """What signing in reads of an account."""

    id: UUID
    password_hash: str
    is_active: bool
    is_verified: bool
    scopes: Sequence[str]
    roles: Sequence[str]


@dataclass(frozen=True, slots=True)
class StoredRefreshToken:
    """A refresh token's row, as a refresh reads it."""

    family: str
    user_id: UUID
    expires_at: float
    """Unix seconds."""
    requested_scopes: Sequence[str] | None
    """What its login asked for (None: nothing named), which its refreshes never exceed."""


@dataclass(frozen=True, slots=True)
class IssuedRefreshToken:
    """The row of a new refresh token: its digest, its family, and the access token issued with it."""

    digest: str
    family: str
    user_id: UUID
    scopes: Sequence[str]
    requested_scopes: Sequence[str] | None
    access_token_id: str
    access_expires_at: int
    expires_at: int


class SignInRows(Protocol):
    """The accounts and refresh tokens, in one transaction (`SignInStore.transaction`)."""

    async def account(self, user_id: UUID) -> SignInAccount | None: ...

    async def signing_in(self, account: SignInAccount, new_password_hash: str | None) -> SignInAccount | None:
        """The account as it signs in now (stores `new_password_hash` when given: a stronger hash of its password);
        None when it may no longer sign in (disabled or deleted while its password was checked)."""

    async def refresh_token(self, digest: str) -> StoredRefreshToken | None:
        """The token's row; None when there is none, or when it cannot even be presented again (revoked, where the
        framework answers a revoked token like an unknown one)."""

    async def spend_refresh_token(self, digest: str) -> bool:
        """Mark the token used, unless it was used or revoked already (then False): one of two racing uses wins."""

    async def add_refresh_token(self, token: IssuedRefreshToken) -> None: ...

    async def revoke_family(self, family: str) -> None:
        """Revoke every refresh token of the family, and the access tokens issued with them (once the transaction
        committed, where the revoked list is not in the database)."""

    async def record_audit(self, event: AuditEvent) -> None:
        """Store an audit event with the transaction; it is logged once the transaction commits."""


class SignInStore(Protocol):
    """A framework's accounts and refresh tokens, its password hasher and its access-token issuer."""

    def transaction(self) -> AbstractAsyncContextManager[SignInRows]: ...

    async def account_by_email(self, email: str) -> SignInAccount | None:
        """The account with this (normalised) email, read without keeping a database connection afterwards."""

    async def verify_password(self, password: str, account: SignInAccount | None) -> tuple[bool, str | None]:
        """(matches, a new hash to store when the hasher's parameters changed); with no account, a dummy hash made
        with the current hasher is checked, so the answer's timing does not tell whether an account exists."""

    def access_token_issuer(self) -> AccessTokenIssuer: ...

    def refresh_token_ttl_s(self) -> int: ...

    def route_scopes(self) -> frozenset[str]:
        """Every scope the routes declare: what a role holding `*` gives (roles.py's `admin`)."""


async def password_login(store: SignInStore, grant: PasswordGrant, origin: Origin) -> dict[str, Any]:
    """The 200 body of a password grant; `OAuthError` (`INVALID_CREDENTIALS`) when it signs nobody in."""
    email = login_email(grant.username)  # None: no account can have it (an invisible character, say)
    account = None if email is None else await store.account_by_email(email)
    # The password is checked first, whatever the account's state: every refusal costs the same hashing work.
    matches, new_hash = await store.verify_password(grant.password, account)
    if account is None or not matches or not account.is_active or not account.is_verified:
        await _sign_in_failed(store, origin, account, matches=matches)
        raise OAuthError("invalid_grant", INVALID_CREDENTIALS)
    async with store.transaction() as rows:
        current = await rows.signing_in(account, new_hash)
        if current is None:
            raise OAuthError("invalid_grant", INVALID_CREDENTIALS)
        # The account's own scopes and its roles' as the code declares them now (roles.py).
        scopes = granted_scopes(held_scopes(current.scopes, current.roles, store.route_scopes()), grant.scopes)
        details = {"scopes": sorted(scopes)}
        await rows.record_audit(
            audit_event(AuditKind.SIGNED_IN, origin=origin, actor=current.id, subject=current.id, details=details)
        )
        return await _issue(store, rows, current.id, scopes, family=new_family_id(), requested=grant.scopes)


async def _sign_in_failed(store: SignInStore, origin: Origin, account: SignInAccount | None, *, matches: bool) -> None:
    """Record a refused password (in a short transaction of its own: the attempt changed nothing). The reason is for
    the trail's readers: the client's answer is the same for every one."""
    reason: FailedSignInReason
    if account is None:
        reason = "unknown_email"
    elif not matches:
        reason = "wrong_password"
    elif not account.is_active:
        reason = "disabled"
    else:
        reason = "unverified"
    if account is not None:
        logger.info("sign-in refused for user %s", account.id)
    subject = None if account is None else account.id
    failed = audit_event(AuditKind.SIGN_IN_FAILED, origin=origin, subject=subject, details={"reason": reason})
    async with store.transaction() as rows:
        await rows.record_audit(failed)


async def refresh(store: SignInStore, grant: RefreshGrant, origin: Origin) -> dict[str, Any]:
    """The 200 body of a refresh grant: the next pair of the token's family; `OAuthError` (`INVALID_REFRESH`) for a
    token that is unknown, expired, spent or revoked, or whose account is disabled or gone. A spent one revokes its
    family (`_revoke_reused`)."""
    digest = refresh_token_digest(grant.refresh_token)
    async with store.transaction() as rows:
        token = await rows.refresh_token(digest)
        if token is None or token.expires_at <= time.time():
            raise OAuthError("invalid_grant", INVALID_REFRESH)
        # Spent and succeeded in one transaction: a reuse detected meanwhile waits for the token's row, then revokes
        # the next token too. A refusal below rolls the spending back.
        if await rows.spend_refresh_token(digest):
            account = await rows.account(token.user_id)
            if account is None or not account.is_active:
                raise OAuthError("invalid_grant", INVALID_REFRESH)
            held = held_scopes(account.scopes, account.roles, store.route_scopes())
            scopes, asked = refreshed_scopes(held, token.requested_scopes, grant.scopes)
            return await _issue(store, rows, token.user_id, scopes, family=token.family, requested=asked)
    await _revoke_reused(store, token, origin)  # after the failed attempt's transaction: a rollback cannot undo it
    raise OAuthError("invalid_grant", INVALID_REFRESH)


async def _revoke_reused(store: SignInStore, token: StoredRefreshToken, origin: Origin) -> None:
    details = {"family": token.family}
    reused = audit_event(AuditKind.REFRESH_TOKEN_REUSED, origin=origin, subject=token.user_id, details=details)
    async with store.transaction() as rows:
        await rows.revoke_family(token.family)
        await rows.record_audit(reused)
    security_log.warning(
        "Security: a spent refresh token was presented again; its login (family %s) of user %s is revoked",
        token.family,
        token.user_id,
    )


async def _issue(
    store: SignInStore,
    rows: SignInRows,
    user_id: UUID,
    scopes: frozenset[str],
    *,
    family: str,
    requested: Iterable[str] | None,
) -> dict[str, Any]:
    """A new access token and refresh token of `family`, recorded in the caller's transaction; the refresh token's
    row records both, and what the sign-in asked for (`requested`), which its refreshes never exceed."""
    now = time.time()  # one moment: `expires_in` is the lifetime the access token was issued with
    access = store.access_token_issuer().issue(str(user_id), scopes, now=now)
    refresh_token = new_refresh_token(store.refresh_token_ttl_s(), now=now)
    await rows.add_refresh_token(
        IssuedRefreshToken(
            digest=refresh_token.digest,
            family=family,
            user_id=user_id,
            scopes=access.scopes,
            requested_scopes=None if requested is None else sorted(requested),
            access_token_id=access.token_id,
            access_expires_at=access.expires_at,
            expires_at=refresh_token.expires_at,
        )
    )
    return token_response(access, refresh_token.token, now=now)
