"""Request and response shapes of the example resource. Strict: unknown fields and type coercion are refused."""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from rest_framework import serializers

from ..api.fields import AwareDateTimeField, EnumField
from ..api.resources import shown_fields
from ..api.serializers import (
    ResponseSerializer,
    StrictCharField,
    StrictInputSerializer,
    StrictIntegerField,
    StrictRegexField,
)
from .models import Item, ItemStatus

TAG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,31}$"
SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
STATUS_HELP = "draft (the default), active or archived"
AVAILABLE_AT_HELP = "When the item can be ordered, with its timezone offset; null: not announced"
# A name is trimmed, then must keep a character: one that is neither NUL nor whitespace as `str.strip()` sees it
# (spelled out: a JSON Schema client's `\\s` is ECMAScript's, which differs on \x1c-\x1f and \x85).
NOT_BLANK_PATTERN = r"^[^\x00]*[^\x00\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00]*$"


class DocumentedPattern(RegexValidator):
    """A pattern for the document alone (drf-spectacular writes a RegexValidator's as the field's `pattern`): the
    field's own checks already enforce it (trimming, then no blank; DRF's refusal of NUL), and checking it again
    would report one bad name twice."""

    def __call__(self, value: Any) -> None:
        return None


NOT_BLANK = DocumentedPattern(NOT_BLANK_PATTERN)


class ItemInSerializer(StrictInputSerializer):
    """What a client sends to create or replace an item."""

    name = StrictCharField(
        min_length=1, max_length=100, validators=[NOT_BLANK], help_text="Display name, 1-100 characters"
    )
    description = StrictCharField(
        required=False, allow_null=True, allow_blank=True, trim_whitespace=False, max_length=1000, default=None
    )
    price_cents = StrictIntegerField(
        min_value=0, max_value=100_000_000, help_text="Price in the smallest currency unit"
    )
    tags = serializers.ListField(
        child=StrictRegexField(TAG_PATTERN), required=False, max_length=10, help_text="Lowercase labels"
    )
    sku = StrictRegexField(
        SKU_PATTERN,
        required=False,
        allow_null=True,
        default=None,
        help_text="Stock-keeping unit: optional, no two of one owner's items share one",
    )
    status = EnumField(ItemStatus, required=False, default=ItemStatus.DRAFT, help_text=STATUS_HELP)
    available_at = AwareDateTimeField(required=False, allow_null=True, default=None, help_text=AVAILABLE_AT_HELP)

    class Meta:
        ref_name = "ItemIn"

    def to_internal_value(self, data: Any) -> Any:
        validated = super().to_internal_value(data)
        validated.setdefault("tags", [])
        return validated


class ItemPatchSerializer(StrictInputSerializer):
    """A partial update: the fields sent replace the item's, the others stay (`null` clears an optional field)."""

    name = StrictCharField(
        required=False, min_length=1, max_length=100, validators=[NOT_BLANK], help_text="Display name, 1-100 characters"
    )
    description = StrictCharField(
        required=False, allow_null=True, allow_blank=True, trim_whitespace=False, max_length=1000
    )
    price_cents = StrictIntegerField(
        required=False, min_value=0, max_value=100_000_000, help_text="Price in the smallest currency unit"
    )
    tags = serializers.ListField(
        child=StrictRegexField(TAG_PATTERN), required=False, max_length=10, help_text="Lowercase labels"
    )
    sku = StrictRegexField(
        SKU_PATTERN,
        required=False,
        allow_null=True,
        help_text="Stock-keeping unit: optional, no two of one owner's items share one",
    )
    status = EnumField(ItemStatus, required=False, help_text=STATUS_HELP)
    available_at = AwareDateTimeField(required=False, allow_null=True, help_text=AVAILABLE_AT_HELP)

    class Meta:
        ref_name = "ItemPatch"


class ItemSerializer(ResponseSerializer[Item]):
    """An item as stored and returned."""

    tags = serializers.ListField(child=serializers.CharField())
    price_cents = serializers.IntegerField(read_only=True)  # an integer, as sent (not the column's int64)
    status = EnumField(ItemStatus, read_only=True)

    class Meta:
        model = Item
        fields = shown_fields("name", "description", "price_cents", "tags", "sku", "status", "available_at")
        ref_name = "Item"
