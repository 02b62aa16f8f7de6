"""The stored item, in the database DATABASE_URL names (PostgreSQL, or SQLite); migrations live in `migrations/`."""

from __future__ import annotations

import uuid

from django.db import models

from ..core.entity_tags import entity_tag


class Item(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=1000, null=True, blank=True)
    price_cents = models.BigIntegerField()
    tags = models.JSONField(default=list)
    sku = models.CharField(max_length=64, null=True, blank=True, unique=True)  # optional; never on two items
    version = models.PositiveIntegerField(default=1)  # one more per write: the ETag (core/entity_tags.py)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return self.name

    @property
    def etag(self) -> str:
        return entity_tag(self.version)
