"""Users in the Django admin (/admin/, when ADMIN_ENABLED): list, search, create, edit, deactivate.

Django's own user admin, adapted to a model whose login is the email: the password is only ever set through the
admin's password form (hashed with the first of PASSWORD_HASHERS, argon2id), never shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django.http import HttpRequest

from .models import User
from .revocation import revoke_user_tokens

if TYPE_CHECKING:  # the stubs type it for AbstractUser (username, first and last name), which this model is not
    UserModelAdmin = DjangoUserAdmin[Any]
else:  # UserAdmin is generic in django-stubs only
    UserModelAdmin = DjangoUserAdmin


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class PasswordChangeForm(AdminPasswordChangeForm):  # type: ignore[type-arg]
    """A password set in the admin ends the user's sessions, as everywhere else."""

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit)
        revoke_user_tokens(user)
        return user


class UserEditForm(UserChangeForm):  # type: ignore[type-arg]
    scopes = forms.JSONField(required=False, help_text='The scopes this user\'s tokens may carry: ["items:read"]')
    roles = forms.JSONField(required=False, help_text='Its roles (core/accounts/roles.py): ["staff"]')

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

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            revoke_user_tokens(obj)  # deactivated here: their tokens stop working, as with the API
