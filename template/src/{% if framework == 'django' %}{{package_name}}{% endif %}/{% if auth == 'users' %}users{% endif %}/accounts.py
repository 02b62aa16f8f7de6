"""What the users API, the admin and the `users` commands do to an account, in one place: the email rule
(core/accounts/emails.py), the password policy (AUTH_PASSWORD_VALIDATORS: at least 12 characters, not a common
password, not the user's own email or name), the revocations every change of who may sign in implies, and the last
admin the API may not remove (core/accounts/admins.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from uuid import UUID

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.dispatch import Signal

from ..audit.recording import record
from ..core.accounts.admins import ADMIN_SCOPE
from ..core.accounts.audit import (
    COMMAND_LINE,
    AuditKind,
    Origin,
    account_change_events,
    account_created_event,
    audit_event,
)
from ..core.accounts.emails import canonical_email, normalised_email
from ..core.accounts.roles import holds, roles_granting
from .models import User
from .one_time_tokens import end_one_time_tokens
from .revocation import revoke_user_tokens

logger = logging.getLogger(__name__)


password_changed = Signal()
"""Sent with the account as `user` inside the transaction of a password change (`save_new_password`: `PATCH
/users/me`, an admin's `PATCH /users/{id}` or the admin's password form, `users set-password`): tasks.py, when the
service runs jobs, defers the email that tells the owner, committed with the new password or not at all."""

email_changed = Signal()
"""Sent with the account as `user` (holding its new email) and its former address as `old_email` inside the
transaction of an email change (`after_email_change`: an admin's `PATCH /users/{id}`, the admin's change form):
tasks.py, when the service sends email, tells the old address, committed with the new one or not at all."""


class PasswordRefused(ValueError):  # noqa: N818 - a refusal, as the API says it
    """The password breaks the policy; `messages` say why (never the password)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages


class EmailTaken(ValueError):  # noqa: N818 - as the API says it
    """Another user has this email (whatever its case)."""


class LastAdmin(ValueError):  # noqa: N818 - as the API says it
    """The change would leave no active account holding users:admin (409)."""


def check_password_policy(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as refused:
        raise PasswordRefused([str(message) for message in refused.messages]) from None


def email_taken(email: str, *, other_than: User | None = None) -> bool:
    """Whether another user has `email` (normalised: the stored form)."""
    users = User.objects.filter(email=email)
    return (users.exclude(pk=other_than.pk) if other_than is not None else users).exists()


def refuse_removing_last_admin(user: User) -> None:
    """`LastAdmin` when `user` is, as stored, the only active account holding users:admin (itself or by a role). Call
    it inside the transaction that deactivates, demotes or deletes the user, before that write: the active admins'
    rows stay locked (PostgreSQL) until it commits, so a concurrent removal of another admin waits, then sees this
    one gone."""
    if lock_admins() == [user.pk]:
        raise LastAdmin


def lock_admins() -> list[UUID]:
    """The active accounts holding users:admin, their rows locked (PostgreSQL) in the order of their ids until the
    transaction ends. A transaction that may remove an admin takes these locks before any other row of users: two
    admins demoting each other at once then queue on the first admin's row, where locking each one's target first
    made each wait for the other's (a deadlock, which PostgreSQL ends by failing one of them)."""
    # The JSON text narrows the rows to lock (neither a scope nor a role name holds a quote); the lists decide.
    may_hold = Q(scopes_text__contains=f'"{ADMIN_SCOPE}"')
    for role in roles_granting(ADMIN_SCOPE):
        may_hold |= Q(roles_text__contains=f'"{role}"')
    holders = (
        User.objects.select_for_update()
        .annotate(scopes_text=Cast("scopes", TextField()), roles_text=Cast("roles", TextField()))
        .filter(may_hold, is_active=True)
        .order_by("pk")
        .values_list("pk", "scopes", "roles")
    )
    return [pk for pk, scopes, roles in holders if holds(scopes, roles, ADMIN_SCOPE)]


def create_user(
    email: str,
    password: str,
    *,
    origin: Origin = COMMAND_LINE,
    actor: UUID | None = None,
    full_name: str = "",
    scopes: Iterable[str] = (),
    roles: Iterable[str] = (),
    is_active: bool = True,
    is_verified: bool = True,
) -> User:
    """A new account; `EmailRefused` for an email the rule refuses, as the API's 422 (the `users` command too). The
    roles are the caller's to check (roles.py: the API's serializer, the command). `origin` and `actor`
    (as below): where the change comes from and who makes it, for the audit trail; by default the `users` command's
    (no address, no request, no account)."""
    user = User(
        email=normalised_email(email), full_name=full_name, scopes=sorted(set(scopes)), roles=sorted(set(roles))
    )
    user.is_active = is_active
    user.is_verified = is_verified
    check_password_policy(password, user)
    if email_taken(user.email):
        raise EmailTaken(user.email)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            record(
                account_created_event(
                    user.pk,
                    scopes=user.scopes,
                    roles=user.roles,
                    is_active=user.is_active,
                    origin=origin,
                    actor=actor,
                )
            )
    except IntegrityError:  # created by another request since the check
        raise EmailTaken(user.email) from None
    logger.info("user %s created", user.pk)
    return user


def change_password(
    user: User,
    password: str,
    *,
    origin: Origin = COMMAND_LINE,
    actor: UUID | None = None,
    keep_family: str | None = None,
    kind: AuditKind = AuditKind.PASSWORD_CHANGED,
) -> None:
    """Set a new password, end the account's outstanding reset and verification tokens, and revoke its sessions (but
    `keep_family`, the one making the change), in one transaction. `kind`: the audit event it records
    (`PASSWORD_RESET` for a reset by email)."""
    check_password_policy(password, user)
    user.set_password(password)
    save_new_password(user, origin=origin, actor=actor, keep_family=keep_family, kind=kind)


def save_new_password(
    user: User,
    *,
    origin: Origin,
    actor: UUID | None,
    keep_family: str | None = None,
    kind: AuditKind = AuditKind.PASSWORD_CHANGED,
) -> None:
    """Store the password hash `user` holds now (set by `change_password`; by the admin's password form or the users
    API, which checked the policy and hashed it themselves) with everything a new password means: the account's
    outstanding reset and verification tokens ended, its sessions revoked (but `keep_family`), the audit event, and
    the owner told, in one transaction (the caller's, when it has one)."""
    with transaction.atomic():
        user.save(update_fields=["password", "updated_at"])
        end_one_time_tokens(user)
        revoke_user_tokens(user, keep_family=keep_family)
        record(audit_event(kind, origin=origin, actor=actor, subject=user.pk))
        password_changed.send(sender=User, user=user)
        # Once committed (now, outside a transaction): a change the caller's transaction rolls back logs nothing.
        user_id = user.pk
        transaction.on_commit(lambda: logger.info("password of user %s changed; other sessions revoked", user_id))


def after_email_change(user: User, old_email: str, *, was_verified: bool) -> None:
    """What an account's new email (saved on `user`, in the caller's transaction) means: a reset or verification token
    mailed to `old_email` (the address as the account held it) no longer works, and, when the account was verified
    before the change (`was_verified`), `old_email` is told (`email_changed`): the owner learns of a change an admin
    made by mistake or against them. An unverified account's address was never shown to be anyone's (a mistyped
    sign-up): whoever reads it is told nothing. Nothing at all for an address that is the same once canonical."""
    if canonical_email(old_email) == canonical_email(user.email):
        return
    end_one_time_tokens(user)
    if was_verified:
        email_changed.send(sender=User, user=user, old_email=old_email)
    # Once committed (now, outside a transaction): a change the caller's transaction rolls back logs nothing.
    user_id = user.pk
    transaction.on_commit(lambda: logger.info("email of user %s changed; its one-time tokens ended", user_id))


def deactivate(
    user: User, *, origin: Origin = COMMAND_LINE, actor: UUID | None = None, keep_an_admin: bool = True
) -> bool:
    """The user can no longer sign in, and every token they hold is refused. `LastAdmin` when it is the last active
    admin, unless `keep_an_admin` is False (the command line's recovery); then the answer says whether no active
    admin is left."""
    with transaction.atomic():
        last = False
        try:
            refuse_removing_last_admin(user)
        except LastAdmin:
            if keep_an_admin:
                raise
            last = True
        was_active = User.objects.filter(pk=user.pk, is_active=True).exists()
        user.is_active = False
        user.save(update_fields=["is_active", "updated_at"])
        revoke_user_tokens(user)
        if was_active:
            record(audit_event(AuditKind.DEACTIVATED, origin=origin, actor=actor, subject=user.pk))
    logger.info("user %s deactivated; tokens revoked", user.pk)
    return last


def set_roles(user: User, roles: Iterable[str], *, origin: Origin = COMMAND_LINE, actor: UUID | None = None) -> bool:
    """Give `user` these roles (declared ones: the caller checks) instead of its own: its next tokens carry them, and
    a refresh drops what it no longer holds. It may leave no active admin (the command line's recovery): the answer
    says whether none is left."""
    with transaction.atomic():
        last = False
        before = {"roles": list(user.roles)}
        user.roles = sorted(set(roles))
        if not holds(user.scopes, user.roles, ADMIN_SCOPE):
            try:
                refuse_removing_last_admin(user)
            except LastAdmin:
                last = True
        user.save(update_fields=["roles", "updated_at"])
        changes = {"roles": user.roles}
        record(*account_change_events(before, changes, origin=origin, actor=actor, subject=user.pk))
    logger.info("roles of user %s set: %s", user.pk, " ".join(user.roles) or "(none)")
    return last


def delete(user: User, *, origin: Origin = COMMAND_LINE, actor: UUID | None = None) -> None:
    """`LastAdmin` when it is the last active admin."""
    with transaction.atomic():
        refuse_removing_last_admin(user)
        revoke_user_tokens(user)  # the access tokens' revocations outlive the user's rows
        subject = user.pk
        user.delete()
        record(audit_event(AuditKind.DELETED, origin=origin, actor=actor, subject=subject))
    logger.info("user %s deleted; tokens revoked", user.pk)
