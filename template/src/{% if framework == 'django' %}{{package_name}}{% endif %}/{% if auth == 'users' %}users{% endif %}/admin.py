"""Users in the Django admin (/admin/, when ADMIN_ENABLED): list, search, create, edit, deactivate.

Django's own user admin, adapted to a model whose login is the email: the password is only ever set through the
admin's password form (hashed with the first of PASSWORD_HASHERS, argon2id), never shown. What an admin creates,
changes or deletes here is recorded in the audit trail as the API's changes are, by the admin's account, and a new
password or email means here what it means in the API (accounts.py: sessions revoked, one-time tokens ended, the
owner told).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from ..audit.recording import record
from ..core.accounts.audit import AuditKind, Origin, account_change_events, account_created_event, audit_event
from . import accounts
from .models import User
from .revocation import revoke_user_tokens

_password_request: ContextVar[HttpRequest | None] = ContextVar("admin_password_request", default=None)
"""The admin's request that the password form being saved belongs to: Django builds the form without it, and the
audit trail names who set the password and from where."""

if TYPE_CHECKING:  # the stubs type it for AbstractUser (username, first and last name), which this model is not
    UserModelAdmin = DjangoUserAdmin[Any]
else:  # UserAdmin is generic in django-stubs only
    UserModelAdmin = DjangoUserAdmin


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class PasswordChangeForm(AdminPasswordChangeForm):  # type: ignore[type-arg]
    """A password set (or password sign-in turned off) in the admin is a password change as everywhere else
    (`accounts.save_new_password`). The form has checked the password policy (AUTH_PASSWORD_VALIDATORS) and hashes
    the password once."""

    def save(self, commit: bool = True) -> Any:
        request = _password_request.get()
        if request is None:  # only UserAdmin.user_change_password saves it, with its request
            raise RuntimeError("the admin's password form is saved outside the admin's password view")
        user = super().save(commit=False)
        accounts.save_new_password(user, origin=_origin(request), actor=request.user.pk)
        return user


class UserEditForm(UserChangeForm):  # type: ignore[type-arg]
    scopes = forms.JSONField(required=False, help_text='The scopes this user\'s tokens may carry: ["items:read"]')
    roles = forms.JSONField(required=False, help_text='Its roles (roles.py): ["staff"]')

    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(UserModelAdmin):
    form = UserEditForm
    change_password_form = PasswordChangeForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "full_name", "is_active", "is_staff", "created_at")
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("email", "full_name")
    readonly_fields = ("id", "last_login", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("id", "email", "password")}),
        ("Profile", {"fields": ("full_name",)}),
        ("Access", {"fields": ("is_active", "scopes", "roles", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "created_at", "updated_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ()

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        # One transaction for the new password and all it implies (Django's view has none of its own).
        with transaction.atomic(), _saving_password_for(request):
            return super().user_change_password(request, id, form_url)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            revoke_user_tokens(obj)  # deactivated here: their tokens stop working, as with the API
        if change and "email" in form.changed_data:
            # The form does not edit `is_verified`: the account's, as it was before the change.
            accounts.after_email_change(obj, form.initial["email"], was_verified=obj.is_verified)
        # In the admin's transaction of the change (each change view runs in one).
        origin, actor = _origin(request), request.user.pk
        if change:
            before = {name: form.initial.get(name) for name in form.changed_data}
            changes = {name: getattr(obj, name) for name in form.changed_data}
            record(*account_change_events(before, changes, origin=origin, actor=actor, subject=obj.pk))
        else:
            created = account_created_event(
                obj.pk, scopes=obj.scopes, roles=obj.roles, is_active=obj.is_active, origin=origin, actor=actor
            )
            record(created)

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        subject = obj.pk
        super().delete_model(request, obj)
        record(audit_event(AuditKind.DELETED, origin=_origin(request), actor=request.user.pk, subject=subject))

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        subjects = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        origin = _origin(request)
        record(*(audit_event(AuditKind.DELETED, origin=origin, actor=request.user.pk, subject=pk) for pk in subjects))


def _origin(request: HttpRequest) -> Origin:
    return Origin.of_request(request.META.get("REMOTE_ADDR"))


@contextmanager
def _saving_password_for(request: HttpRequest) -> Iterator[None]:
    token = _password_request.set(request)
    try:
        yield
    finally:
        _password_request.reset(token)
