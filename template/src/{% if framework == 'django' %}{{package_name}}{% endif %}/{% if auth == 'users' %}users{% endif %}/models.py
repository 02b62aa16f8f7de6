"""The service's users and what their sign-ins leave behind, in the database DATABASE_URL names.

- `User` is Django's `AUTH_USER_MODEL` from the first migration (a custom model cannot be swapped in later without
  rewriting every table that points at users): the email is the login, stored in the normalised form of
  core/accounts/emails.py (NFKC, lower case, the domain in U-labels), which is what the unique constraint holds
  for. The same rule checks it in the API, the `users` command, `createsuperuser` and the admin.
- `RefreshToken`: one row per refresh token issued, holding its SHA-256 only. The tokens one sign-in leads to share
  a `family`; presenting a spent one again revokes the whole family (it was stolen, or copied).
- `PasswordReset` and `EmailVerification`: one row per request for an emailed one-time token (the rules are
  core/accounts/one_time_tokens.py's), holding the address the request named and, once a job bound it to an account,
  the token's SHA-256. At most one unspent token per account and kind: a partial unique index says so.
- `EmailChangeNotice`: the address an account had before its email changed, until the job that tells that address
  has sent its email (the job queue stores and logs a job's arguments: the address travels in this row, never in a
  job). A notice a failed job leaves behind is deleted by the hourly prune.
Revoked access-token ids are the `revocations` app's `RevokedToken`.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from ..core.accounts.emails import MAX_EMAIL_LENGTH, EmailRefused, canonical_email, login_email, normalised_email
from ..core.accounts.roles import ADMIN_ROLE, unknown_role_problem


def validate_email_address(value: str) -> None:
    """The account email rule as a Django validator (model validation, `createsuperuser`, the admin's forms)."""
    try:
        normalised_email(value)
    except EmailRefused as refused:
        raise ValidationError(str(refused), code="invalid") from None


def validate_roles(value: object) -> None:
    """Roles the code declares (roles.py): the admin's form refuses another, as the API does."""
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise ValidationError("a list of role names", code="invalid")
    problem = unknown_role_problem(value)
    if problem is not None:
        raise ValidationError(problem, code="invalid")


if TYPE_CHECKING:  # generic in django-stubs only
    StoredEmailField = models.EmailField[str, str]
else:
    StoredEmailField = models.EmailField


class EmailAddressField(StoredEmailField):
    """An EmailField checked by the account email rule alone: Django's own validator refuses some addresses the
    rule accepts (letters beyond ASCII before the `@`), and the two must not disagree."""

    default_validators = (validate_email_address,)

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        # A text field: forms.EmailField would run Django's validator again.
        return models.CharField.formfield(
            self, form_class=form_class or forms.CharField, choices_form_class=choices_form_class, **kwargs
        )


class UserManager(BaseUserManager["User"]):
    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        """The stored form (core/accounts/emails.py), not Django's (which lowercases the domain only)."""
        return canonical_email(email or "")

    def get_by_natural_key(self, username: str | None) -> User:
        """The user signing in with `username` (an email), found by its normalised form."""
        email = login_email(username or "")
        if email is None:
            raise self.model.DoesNotExist
        return self.get(email=email)

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("a user needs an email address")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)  # None: no password anyone can sign in with (set one with `users set-password`)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        """`manage.py createsuperuser`: signs in to the admin and has the admin role (roles.py: every
        account, every owner's records), as `users create --admin` does."""
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        fields.setdefault("roles", [ADMIN_ROLE])
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Stored normalised (`save`), so unique whatever the case or Unicode form typed; the constraint below also
    # holds for rows written past `save` (a queryset's update()).
    email = EmailAddressField(max_length=MAX_EMAIL_LENGTH, unique=True, help_text="The login; unique whatever its case")
    full_name = models.CharField(max_length=200, blank=True, default="")
    is_active = models.BooleanField(default=True, help_text="Inactive users cannot sign in; their tokens are refused")
    is_staff = models.BooleanField(default=False, help_text="May sign in to the admin (/admin/)")
    is_verified = models.BooleanField(
        default=True, help_text="Its owner proved the email is theirs (a sign-up cannot sign in until then)"
    )
    scopes = models.JSONField(default=list, blank=True, help_text="The scopes this user's tokens may carry")
    # The names of its roles: its tokens carry their scopes too, as the code declares them when a token is issued.
    roles = models.JSONField(
        default=list, blank=True, validators=[validate_roles], help_text="Its roles (core/accounts/roles.py)"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ("created_at", "id")
        constraints = (
            models.UniqueConstraint(
                Lower("email"), name="users_user_email_unique", violation_error_message="A user with this email exists"
            ),
        )

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = canonical_email(self.email)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = canonical_email(self.email)  # whoever saves: the admin, a data migration, a team's code
        super().save(*args, **kwargs)


class RefreshToken(models.Model):
    token_hash = models.CharField(max_length=64, unique=True)  # SHA-256 in hex; the token itself is never stored
    family = models.CharField(max_length=64, db_index=True)  # every token one sign-in led to
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="refresh_tokens")
    scope = models.CharField(max_length=1000, blank=True, default="")
    # What its sign-in asked for (space-separated), which its refreshes never exceed; None when it named nothing:
    # each refresh then carries what the user holds at that moment (a role given arrives with the next one).
    requested_scope = models.CharField(max_length=1000, null=True, blank=True)
    # The access token issued with this refresh token: revoking the family revokes it too (logout, deactivation).
    access_token_id = models.CharField(max_length=256, db_index=True)
    access_expires_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)  # spent: exchanged for the next one
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"refresh token of {self.user_id} (family {self.family})"


class OneTimeToken(models.Model):
    """A request for an emailed token, then (bound by the job that emails it) the token's digest."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.CharField(max_length=MAX_EMAIL_LENGTH)  # normalised: the address the request named
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)  # SHA-256 in hex, once bound
    expires_at = models.BigIntegerField()  # Unix seconds: fixed when the token was asked for
    used_at = models.DateTimeField(null=True, blank=True)  # spent, replaced, or closed without a token
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        constraints = (
            # The database's guarantee that only the newest email's token works, whatever races the code loses.
            models.UniqueConstraint(
                fields=("user",), condition=Q(used_at__isnull=True), name="%(app_label)s_%(class)s_one_unspent"
            ),
        )

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk} of user {self.user_id}"


class PasswordReset(OneTimeToken):
    class Meta(OneTimeToken.Meta):
        pass


class EmailVerification(OneTimeToken):
    password = models.CharField(max_length=128, null=True, blank=True)  # the sign-up's password hash, until spent
    full_name = models.CharField(max_length=200, blank=True, default="")

    class Meta(OneTimeToken.Meta):
        pass


class EmailChangeNotice(models.Model):
    """An account's former address, waiting for the email that tells it the account moved to another one. The job
    that sends it deletes it; one whose email could not be sent is deleted by the hourly prune. A service that runs no
    jobs has the table but never writes to it: no email is sent, so no address is kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Deleting the account deletes its notices: an erased account keeps no address of it.
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    old_email = models.CharField(max_length=MAX_EMAIL_LENGTH)  # as the account held it (normalised when stored)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"email change notice {self.pk} of user {self.user_id}"
