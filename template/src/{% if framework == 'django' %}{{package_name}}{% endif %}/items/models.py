"""The stored item, in the database DATABASE_URL names (PostgreSQL, or SQLite); migrations live in `migrations/`.
The columns every resource shares (id, owner, version, timestamps) come from `api.resources.ResourceModel`."""

from __future__ import annotations

from django.db import models

from ..api.resources import ResourceModel, unique_per_owner


class ItemStatus(models.TextChoices):
    """Where an item is in its life: drafted, offered, withdrawn."""

    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


class Item(ResourceModel):
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=1000, null=True, blank=True)
    price_cents = models.BigIntegerField()
    tags = models.JSONField(default=list)
    sku = models.CharField(max_length=64, null=True, blank=True)  # optional; unique among one owner's items
    status = models.CharField(max_length=16, choices=ItemStatus.choices, default=ItemStatus.DRAFT)
    available_at = models.DateTimeField(null=True, blank=True)  # when it can be ordered; timezone-aware

    class Meta(ResourceModel.Meta):
        constraints = (unique_per_owner("sku", name="items_item_sku_unique"),)

    def __str__(self) -> str:
        return self.name
