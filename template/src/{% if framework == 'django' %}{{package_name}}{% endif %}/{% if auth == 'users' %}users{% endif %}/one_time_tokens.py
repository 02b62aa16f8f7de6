"""The emailed one-time tokens' rows (models.py's `PasswordReset`, `EmailVerification`), by the rules of
core/accounts/one_time_tokens.py: asked for with one row whatever the address, bound to an account by the job that
emails the token, spent once.

Locks are always taken in one order, the account's row first and then its token rows: the job that binds a token,
the spending of one, and every password or email change (`end_one_time_tokens`). Two of them never wait for each
other in a cycle.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .models import EmailVerification, OneTimeToken, PasswordReset, User

Row = TypeVar("Row", bound=OneTimeToken)


class OneTimeTokenNotFoundError(Exception):
    """The row is not there (yet): the in-memory queue of development may run the job before the request commits;
    the job retries."""


@dataclass(frozen=True, slots=True)
class SpentToken(Generic[Row]):
    user: User
    """The account, its row locked until the transaction ends."""
    token: Row
    """The token's row as it was before it was spent (a sign-up's password hash included)."""


def ask(kind: type[Row], *, email: str, expires_at: int, **values: Any) -> Row:
    """Record a request for a token of `kind` for `email`, whether or not an account has it: one INSERT, the same for
    every address. The job deferred with its id resolves the account, then binds a token or closes the row."""
    return _rows(kind).create(email=email, expires_at=expires_at, **values)


def request_row(kind: type[Row], row_id: str) -> Row:
    """The request's row, not locked: its address tells the job which account to lock first."""
    row = _rows(kind).filter(pk=uuid.UUID(row_id)).first()
    if row is None:
        raise OneTimeTokenNotFoundError(row_id)
    return row


def unspent(row: OneTimeToken) -> bool:
    """Whether the request can still lead to a token: not used, replaced or closed, and not expired."""
    return row.used_at is None and row.expires_at > time.time()


def lifetime_s(row: OneTimeToken) -> float:
    """The token's lifetime as its row holds it (the TTL setting of the process that asked for it), for its email."""
    return row.expires_at - row.created_at.timestamp()


def lock_account(email: str) -> User | None:
    """The account with this (normalised) email, its row locked until the transaction ends; None when there is none."""
    return User.objects.select_for_update().filter(email=email).first()


def bind(kind: type[Row], row_id: Any, user_id: uuid.UUID, token_hash: str) -> bool:
    """With the account's row locked (`lock_account`): if the request is still unspent and unexpired, supersede every
    other unspent token of the account of this kind, then bind the request to it with the digest of the token about
    to be emailed. False when the request was spent, superseded or has expired (nothing to send). The partial unique
    index refuses a second unspent token even if a caller forgot the lock."""
    row = _rows(kind).select_for_update().filter(pk=row_id).first()
    if row is None:
        raise OneTimeTokenNotFoundError(str(row_id))
    if not unspent(row):
        return False
    _rows(kind).filter(user_id=user_id, used_at__isnull=True).exclude(pk=row_id).update(**_spent_values(kind))
    _rows(kind).filter(pk=row_id).update(user_id=user_id, token_hash=token_hash)
    return True


def close(kind: type[OneTimeToken], row_id: Any) -> None:
    """Mark a request that gets no token used: no account has its address, it is disabled, or (a sign-up) taken."""
    _rows(kind).filter(pk=row_id, used_at__isnull=True).update(**_spent_values(kind))


def usable(kind: type[Row], token_hash: str) -> Row | None:
    """The unspent, unexpired, bound row of this digest, not locked (a confirmation checks it before any hashing)."""
    return (
        _rows(kind)
        .filter(token_hash=token_hash, used_at__isnull=True, expires_at__gt=int(time.time()))
        .exclude(user__isnull=True)
        .first()
    )


def spend(kind: type[Row], token_hash: str) -> SpentToken[Row] | None:
    """Spend the token whose digest is `token_hash` if it is unspent, unexpired, and its account still has the address
    it was emailed to; None otherwise (one answer for all). Of two racing uses exactly one wins: the conditional
    UPDATE. Call it inside `transaction.atomic()`: the account's row stays locked until it commits."""
    found = usable(kind, token_hash)
    if found is None:
        return None
    if found.user_id is None:
        return None
    user = User.objects.select_for_update().filter(pk=found.user_id).first()
    if user is None or user.email != found.email:
        return None
    unspent = _rows(kind).filter(pk=found.pk, used_at__isnull=True, expires_at__gt=int(time.time()))
    if not unspent.update(**_spent_values(kind)):
        return None
    return SpentToken(user, found)


def end_one_time_tokens(user: User) -> None:
    """Mark every unspent reset and verification token of the account used: on every password or email change, a
    token asked for before (perhaps by whoever the change locks out), or mailed to the old address, must not work
    after it (OWASP's forgot-password cheat sheet)."""
    for kind in (PasswordReset, EmailVerification):
        _rows(kind).filter(user=user, used_at__isnull=True).update(**_spent_values(kind))


def delete_abandoned_sign_ups(now: int) -> int:
    """Delete the accounts made by a sign-up (they had a verification emailed) that were never verified and whose last
    verification has expired; returns how many. Otherwise anyone could park a stranger's address, holding a password
    they know, until its owner clicks an old email (account pre-hijacking), and the address would answer 409 to an
    admin. An unverified account that never had a verification (an admin's or the `users` command's) is kept.

    The accounts' rows are locked first (the order of every one-time-token change, above), then checked again: a
    sign-up's job binding a new verification meanwhile either committed before (the account is kept) or waits."""
    live = EmailVerification.objects.filter(Q(user=OuterRef("pk")) | Q(email=OuterRef("email")), expires_at__gt=now)
    had_one = EmailVerification.objects.filter(user=OuterRef("pk"))
    abandoned = Q(is_verified=False) & Exists(had_one) & ~Exists(live)
    with transaction.atomic():
        locked = User.objects.filter(abandoned).order_by("pk").select_for_update(of=("self",))
        candidates = list(locked.values_list("pk", flat=True))
        if not candidates:
            return 0
        _, deleted = User.objects.filter(abandoned, pk__in=candidates).delete()
    return deleted.get(User._meta.label, 0)


def _rows(kind: type[Row]) -> models.Manager[Row]:
    """The rows of `kind` (both kinds derive from the abstract `OneTimeToken`, which has no manager of its own)."""
    return kind._default_manager  # documented Django API, despite the underscore


def _spent_values(kind: type[OneTimeToken]) -> dict[str, Any]:
    """A row done with: used now, and a sign-up's password hash (which it no longer needs) dropped."""
    values: dict[str, Any] = {"used_at": timezone.now()}
    if kind is EmailVerification:
        values["password"] = None
    return values
