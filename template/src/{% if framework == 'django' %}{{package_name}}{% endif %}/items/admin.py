"""The example resource in the Django admin (/admin/, when ADMIN_ENABLED): list, search and edit items."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin

from .models import Item

if TYPE_CHECKING:
    ItemModelAdmin = admin.ModelAdmin[Item]
else:  # ModelAdmin is generic in django-stubs only
    ItemModelAdmin = admin.ModelAdmin


@admin.register(Item)
class ItemAdmin(ItemModelAdmin):
    list_display = ("name", "price_cents", "created_at", "updated_at")
    search_fields = ("name", "description")
    readonly_fields = ("id", "row_version", "created_at", "updated_at")
