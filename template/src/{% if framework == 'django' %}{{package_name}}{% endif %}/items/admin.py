"""The example resource in the Django admin (/admin/, when ADMIN_ENABLED): list, search and edit items."""

from __future__ import annotations

from django.contrib import admin

from .models import Item


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin[Item]):
    list_display = ("name", "price_cents", "created_at", "updated_at")
    search_fields = ("name", "description")
    readonly_fields = ("id", "created_at", "updated_at")
