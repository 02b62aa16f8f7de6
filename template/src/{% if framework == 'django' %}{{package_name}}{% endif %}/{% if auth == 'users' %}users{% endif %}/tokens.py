"""Signing in, the OAuth2 way (RFC 6749), for the token endpoint and its JSON twins: check a password grant, spend a
refresh token, issue the pair of tokens. The form's language (grants, errors, the 200 body) is
core/accounts/grants.py's.

- Unknown email, wrong password, inactive account and an account whose email is not verified yet (a sign-up) get the
  same `invalid_grant`, after the same work: an
  unknown email is checked against a dummy hash made with the current hasher, so the answer's timing does not
  tell whether an account exists. No database connection is held while a hash is checked.
- A successful sign-in rehashes the password when the hasher's parameters changed (Django's `check_password`).
- Refresh tokens are single use. The one presented is spent by a conditional update (of two concurrent uses,
  one wins), in the transaction that records the next one: until it commits, the token's row stays locked, so a
  second use waits for it and then finds the token spent and the next one on record. A spent or revoked one
  presented again revokes its whole family (revocation.py: with the members created meanwhile) and logs a security
  event.
"""

from __future__ import annotations

import functools
import logging
import time
from datetime import UTC, datetime
from typing import Any

from django.conf import settings as django_settings
from django.contrib.auth.hashers import check_password
from django.db import connection, transaction
from django.utils import timezone

from ..audit.recording import record
from ..core.accounts.audit import AuditKind, FailedSignInReason, Origin, audit_event
from ..core.accounts.emails import login_email
from ..core.accounts.grants import (
    INVALID_CREDENTIALS,
    INVALID_REFRESH,
    OAuthError,
    PasswordGrant,
    RefreshGrant,
    granted_scopes,
    refreshed_scopes,
    token_response,
)
from ..core.accounts.roles import held_scopes
from ..core.accounts.tokens import new_family_id, new_refresh_token, refresh_token_digest
from ..integrations import wiring
from ..integrations.accounts import dummy_hash
from .models import RefreshToken, User
from .revocation import revoke_families

logger = logging.getLogger(__name__)
security_log = logging.getLogger(f"{__name__}.security")


def release_connection() -> None:
    """Give this thread's database connection back to the pool (the next query takes one again) before a password
    hash, which takes a fraction of a second: requests waiting for a connection meanwhile would time out (503). A
    connection that a transaction holds (the caller's) stays."""
    if not connection.in_atomic_block:
        connection.close()


def password_login(grant: PasswordGrant, origin: Origin) -> dict[str, Any]:
    email = login_email(grant.username)  # None: no account can have it (an invisible character, say)
    user = None if email is None else User.objects.filter(email=email).first()
    release_connection()  # a burst of logins would otherwise hold every pooled connection while hashing
    if user is None:
        check_password(grant.password, dummy_hash())
        sign_in_failed(origin, None, "unknown_email")
        raise OAuthError("invalid_grant", INVALID_CREDENTIALS)
    # The password is checked first, whatever the account's state: every refusal costs the same hashing work.
    matches = user.check_password(grant.password)  # rehashes when the parameters changed
    if not matches or not user.is_active or not user.is_verified:
        logger.info("sign-in refused for user %s", user.pk)
        reason: FailedSignInReason = (
            "wrong_password" if not matches else "disabled" if not user.is_active else "unverified"
        )
        sign_in_failed(origin, user, reason)
        raise OAuthError("invalid_grant", INVALID_CREDENTIALS)
    # The account's own scopes and its roles' as the code declares them now (roles.py).
    held = held_scopes(user.scopes, user.roles, route_scopes())
    scopes = granted_scopes(held, grant.scopes)
    with transaction.atomic():
        if not User.objects.filter(pk=user.pk, is_active=True, is_verified=True).update(last_login=timezone.now()):
            raise OAuthError("invalid_grant", INVALID_CREDENTIALS)  # deactivated or deleted while the hash was checked
        signed_in = audit_event(
            AuditKind.SIGNED_IN, origin=origin, actor=user.pk, subject=user.pk, details={"scopes": sorted(scopes)}
        )
        record(signed_in)
        return issue(user, scopes, family=new_family_id(), requested=grant.scopes)


def sign_in_failed(origin: Origin, user: User | None, reason: FailedSignInReason) -> None:
    """Record a refused sign-in (in a short transaction of its own: the attempt changed nothing). The reason is for
    the trail's readers: the client's answer is the same for every one."""
    subject = None if user is None else user.pk
    with transaction.atomic():
        record(audit_event(AuditKind.SIGN_IN_FAILED, origin=origin, subject=subject, details={"reason": reason}))


def refresh(grant: RefreshGrant, origin: Origin) -> dict[str, Any]:
    now = timezone.now()
    digest = refresh_token_digest(grant.refresh_token)
    token = RefreshToken.objects.select_related("user").filter(token_hash=digest).first()
    if token is None or token.expires_at <= now:
        raise OAuthError("invalid_grant", INVALID_REFRESH)
    # Spent and succeeded in one transaction: a reuse detected on another replica meanwhile waits for the token's
    # row, then revokes the next token and its access token too. A refusal below rolls the spending back.
    with transaction.atomic():
        live = RefreshToken.objects.filter(pk=token.pk, used_at__isnull=True, revoked_at__isnull=True)
        if live.update(used_at=now):
            return _rotate(token, grant)
    # Used before, or revoked: whoever holds it is not (only) its owner. After the transaction: nothing undoes it.
    with transaction.atomic():
        revoked = revoke_families(token.family)
        details = {"family": token.family}
        record(audit_event(AuditKind.REFRESH_TOKEN_REUSED, origin=origin, subject=token.user_id, details=details))
    security_log.warning(
        "security: a spent refresh token was presented again; its family %s (user %s) is revoked (%d live)",
        token.family,
        token.user_id,
        revoked,
    )
    raise OAuthError("invalid_grant", INVALID_REFRESH)


def _rotate(token: RefreshToken, grant: RefreshGrant) -> dict[str, Any]:
    """The next pair of `token`'s family, which the caller's transaction has just spent."""
    user = token.user
    if not user.is_active:
        raise OAuthError("invalid_grant", INVALID_REFRESH)
    held = held_scopes(user.scopes, user.roles, route_scopes())
    asked = None if token.requested_scope is None else token.requested_scope.split()
    scopes, asked_next = refreshed_scopes(held, asked, grant.scopes)
    return issue(user, scopes, family=token.family, requested=asked_next)


@functools.cache
def route_scopes() -> frozenset[str]:
    """Every scope the routed views declare (once: the routes are fixed): what a role holding `*` gives
    (roles.py's `admin`)."""
    from ..api.scopes import declared_scopes  # noqa: PLC0415 - the views, which need the app registry

    return declared_scopes()


def issue(user: User, scopes: frozenset[str], *, family: str, requested: frozenset[str] | None) -> dict[str, Any]:
    """A new access token and refresh token of `family` for `user`; the refresh token's row records both, and what
    the sign-in asked for (`requested`, None: nothing named), which its refreshes never exceed."""
    issuer = wiring().access_tokens
    if issuer is None:
        raise RuntimeError("no access-token issuer: integrations.accounts did not run")
    now = time.time()  # one moment: `expires_in` is the lifetime the access token was issued with
    access = issuer.issue(str(user.pk), scopes, now=now)
    refresh = new_refresh_token(django_settings.SERVICE_SETTINGS.auth_refresh_token_ttl, now=now)
    RefreshToken.objects.create(  # in the caller's transaction, when it has one (a refresh's)
        token_hash=refresh.digest,
        family=family,
        user=user,
        scope=" ".join(access.scopes),
        requested_scope=None if requested is None else " ".join(sorted(requested)),
        access_token_id=access.token_id,
        access_expires_at=datetime.fromtimestamp(access.expires_at, UTC),
        expires_at=datetime.fromtimestamp(refresh.expires_at, UTC),
    )
    return token_response(access, refresh.token, now=now)
