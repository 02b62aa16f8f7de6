"""Files in the Django admin (/admin/, when ADMIN_ENABLED): list and search them. Read only: a file's bytes and its
record change together, through the API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from .models import File

if TYPE_CHECKING:
    FileModelAdmin = admin.ModelAdmin[File]
else:  # ModelAdmin is generic in django-stubs only
    FileModelAdmin = admin.ModelAdmin


@admin.register(File)
class FileAdmin(FileModelAdmin):
    list_display = ("name", "content_type", "size_bytes", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("name",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
