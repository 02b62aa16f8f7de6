"""The service's users and what their sign-ins leave behind, in the database DATABASE_URL names.

- `User` is Django's `AUTH_USER_MODEL` from the first migration (a custom model cannot be swapped in later without
  rewriting every table that points at users): the email is the login, unique whatever its case.
- `RefreshToken`: one row per refresh token issued, holding its SHA-256 only. The tokens one sign-in leads to share
  a `family`; presenting a spent one again revokes the whole family (it was stolen, or copied).
Revoked access-token ids are the `revocations` app's `RevokedToken`.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        """The user signing in with `username` (an email), whatever its case."""
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("a user needs an email address")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)  # None: no password anyone can sign in with (set one with `users set-password`)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        """`manage.py createsuperuser`: signs in to the admin and holds every admin scope (every account, every
        owner's records)."""
        from .commands import admin_scopes  # noqa: PLC0415 - imports the API, which needs the app registry

        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        fields.setdefault("scopes", sorted(admin_scopes()))
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Unique as written (Django requires it of the login field) and whatever its case (the constraint below).
    email = models.EmailField(max_length=254, unique=True, help_text="The login; unique whatever its case")
    full_name = models.CharField(max_length=200, blank=True, default="")
    is_active = models.BooleanField(default=True, help_text="Inactive users cannot sign in; their tokens are refused")
    is_staff = models.BooleanField(default=False, help_text="May sign in to the admin (/admin/)")
    scopes = models.JSONField(default=list, blank=True, help_text="The scopes this user's tokens may carry")
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


class RefreshToken(models.Model):
    token_hash = models.CharField(max_length=64, unique=True)  # SHA-256 in hex; the token itself is never stored
    family = models.CharField(max_length=64, db_index=True)  # every token one sign-in led to
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="refresh_tokens")
    scope = models.CharField(max_length=1000, blank=True, default="")
    # The access token issued with this refresh token: revoking the family revokes it too (logout, deactivation).
    access_token_id = models.CharField(max_length=256, db_index=True)
    access_expires_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)  # spent: exchanged for the next one
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"refresh token of {self.user_id} (family {self.family})"
