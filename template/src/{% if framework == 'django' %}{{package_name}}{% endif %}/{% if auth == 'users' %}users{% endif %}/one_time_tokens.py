"""The emailed one-time tokens' rows (models.py's `PasswordReset`, `EmailVerification`), by the rules of
core/accounts/one_time_tokens.py (its lock order included): asked for with one row whatever the address, bound to an
account by the job that emails the token, spent once."""

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
    """Record a request for a token of `kind` for `email`, whether or not an account has it (one INSERT, the same for
    every address), for the job that resolves it."""
    return _rows(kind).create(email=email, expires_at=expires_at, **values)


def request_row(kind: type[Row], row_id: str) -> Row:
    """The request's row, not locked: its address tells the job which account to lock first."""
    row = _rows(kind).filter(pk=uuid.UUID(row_id)).first()
    if row is None:
        raise OneTimeTokenNotFoundError(row_id)
    return row


def lock_account(email: str) -> User | None:
    """The account with this (normalised) email, its row locked until the transaction ends; None when there is none."""
    return User.objects.select_for_update().filter(email=email).first()


def bind(kind: type[Row], row_id: Any, user_id: uuid.UUID, token_hash: str) -> bool:
    """core/accounts/mail_jobs.py's `MailJobRows.bind`, with the account's row locked (`lock_account`); the partial
    unique index refuses a second unspent token even if a caller forgot the lock."""
    row = _rows(kind).select_for_update().filter(pk=row_id).first()
    if row is None:
        raise OneTimeTokenNotFoundError(str(row_id))
    if row.used_at is not None or row.expires_at <= time.time():
        return False
    _rows(kind).filter(user_id=user_id, used_at__isnull=True).exclude(pk=row_id).update(**_spent_values(kind))
    _rows(kind).filter(pk=row_id).update(user_id=user_id, token_hash=token_hash)
    return True


def close(kind: type[OneTimeToken], row_id: Any) -> None:
    """core/accounts/mail_jobs.py's `MailJobRows.close`."""
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
    it was emailed to; None otherwise (one answer for all). Call it inside `transaction.atomic()`: the account's row
    stays locked until it commits."""
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
    """Mark every unspent reset and verification token of the account used: on every password or email change."""
    for kind in (PasswordReset, EmailVerification):
        _rows(kind).filter(user=user, used_at__isnull=True).update(**_spent_values(kind))


def delete_abandoned_sign_ups(now: int) -> int:
    """Delete the abandoned sign-ups (core/accounts/one_time_tokens.py says which, and why); returns how many."""
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
