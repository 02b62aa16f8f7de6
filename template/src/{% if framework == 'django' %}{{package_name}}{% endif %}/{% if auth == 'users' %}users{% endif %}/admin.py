"""Users in the Django admin (/admin/, when ADMIN_ENABLED): list, search, create, edit, deactivate.

Django's own user admin, adapted to a model whose login is the email: the password is only ever set through the
admin's password form (hashed with the first of PASSWORD_HASHERS, argon2id), never shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from .models import User

if TYPE_CHECKING:  # the stubs type it for AbstractUser (username, first and last name), which this model is not
    UserModelAdmin = DjangoUserAdmin[Any]
else:  # UserAdmin is generic in django-stubs only
    UserModelAdmin = DjangoUserAdmin


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):  # type: ignore[type-arg]
    scopes = forms.JSONField(required=False, help_text='The scopes this user\'s tokens may carry: ["items:read"]')

    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(UserModelAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "full_name", "is_active", "is_staff", "created_at")
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("email", "full_name")
    readonly_fields = ("id", "last_login", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("id", "email", "password")}),
        ("Profile", {"fields": ("full_name",)}),
        ("Access", {"fields": ("is_active", "scopes", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "created_at", "updated_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ()
