"""What the users API, the admin and the `users` commands do to an account, in one place: the password policy
(AUTH_PASSWORD_VALIDATORS: at least 12 characters, not a common password, not the user's own email or name) and
the revocations every change of who may sign in implies."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from .models import User
from .revocation import revoke_user_tokens

logger = logging.getLogger(__name__)


class PasswordRefused(ValueError):  # noqa: N818 - a refusal, as the API says it
    """The password breaks the policy; `messages` say why (never the password)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages


class EmailTaken(ValueError):  # noqa: N818 - as the API says it
    """Another user has this email (whatever its case)."""


def check_password_policy(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as refused:
        raise PasswordRefused([str(message) for message in refused.messages]) from None


def email_taken(email: str, *, other_than: User | None = None) -> bool:
    users = User.objects.filter(email__iexact=email)
    return (users.exclude(pk=other_than.pk) if other_than is not None else users).exists()


def create_user(
    email: str, password: str, *, full_name: str = "", scopes: Iterable[str] = (), is_active: bool = True
) -> User:
    user = User(email=User.objects.normalize_email(email), full_name=full_name, scopes=sorted(set(scopes)))
    user.is_active = is_active
    check_password_policy(password, user)
    if email_taken(user.email):
        raise EmailTaken(user.email)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # created by another request since the check
        raise EmailTaken(user.email) from None
    logger.info("user %s created", user.pk)
    return user


def change_password(user: User, password: str, *, keep_family: str | None = None) -> None:
    """Set a new password and revoke the user's sessions (but `keep_family`, the one making the change)."""
    check_password_policy(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password", "updated_at"])
        revoke_user_tokens(user, keep_family=keep_family)
    logger.info("password of user %s changed; other sessions revoked", user.pk)


def deactivate(user: User) -> None:
    """The user can no longer sign in, and every token they hold is refused."""
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active", "updated_at"])
        revoke_user_tokens(user)
    logger.info("user %s deactivated; tokens revoked", user.pk)


def delete(user: User) -> None:
    with transaction.atomic():
        revoke_user_tokens(user)  # the access tokens' revocations outlive the user's rows
        user.delete()
    logger.info("user %s deleted; tokens revoked", user.pk)
