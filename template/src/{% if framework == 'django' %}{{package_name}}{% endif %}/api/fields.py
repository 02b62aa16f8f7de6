"""Request fields for what a product stores beyond strings and numbers, as JSON carries them: each one a JSON string
in a standard format, and nothing else (`12` is no date, `"12"` no number; a JSON number is no amount of money).

    StrictDateField       "2026-11-26"                   format: date
    StrictTimeField       "09:30:00"                     format: time
    AwareDateTimeField    "2026-11-26T09:30:00+01:00"    format: date-time; without an offset it is refused: a
                                                         naive time means a different instant in each time zone
    StrictUUIDField       "3fa85f64-5717-..."            format: uuid
    EnumField(ItemStatus) "active"                       the enum's values; its own component, named after the enum
    MoneyField            "12.50"                        a decimal string, at most 2 decimals: a JSON number is
                                                         refused, binary floats cannot hold 0.10 exactly
    StrictEmailField      "ada@example.com"              format: email

Use them in a resource's input serializers (derived from `api.serializers.StrictInputSerializer`); a response
serializer may use `EnumField` and `MoneyField` too, for the same document on the way out.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers

ISO_DATE = "YYYY-MM-DD"
ISO_TIME = "hh:mm[:ss[.uuuuuu]]"


def require_string(field: serializers.Field[Any, Any, Any, Any], data: Any, **format_arguments: Any) -> str:
    """`data` when it is a JSON string, else the field's own "invalid" error."""
    if not isinstance(data, str):
        field.fail("invalid", **format_arguments)
    return data


class StrictDateField(serializers.DateField):
    def to_internal_value(self, value: Any) -> Any:
        return super().to_internal_value(require_string(self, value, format=ISO_DATE))


class StrictTimeField(serializers.TimeField):
    def to_internal_value(self, value: Any) -> Any:
        return super().to_internal_value(require_string(self, value, format=ISO_TIME))


class AwareDateTimeField(serializers.DateTimeField):
    """A point in time: an ISO 8601 date and time with its offset (`Z` or `+01:00`)."""

    default_error_messages = {  # noqa: RUF012 - DRF merges the class attribute
        "naive": "Datetime has no timezone offset: add one, such as Z or +01:00.",
    }

    def to_internal_value(self, value: Any) -> datetime:
        text = require_string(self, value, format="YYYY-MM-DDThh:mm[:ss[.uuuuuu]]+hh:mm")
        try:
            parsed = parse_datetime(text)
        except ValueError:  # well formed, but no such date or time: DRF's own error below
            parsed = None
        if parsed is not None and parsed.tzinfo is None:
            self.fail("naive")
        result: datetime = super().to_internal_value(text)
        return result


class StrictUUIDField(serializers.UUIDField):
    """A UUID in its string form (DRF would also take a JSON integer as the UUID's 128 bits)."""

    def to_internal_value(self, data: Any) -> Any:
        return super().to_internal_value(require_string(self, data, value=data))


class EnumField(serializers.ChoiceField):
    """One of a string enum's values (a `models.TextChoices` or an `enum.StrEnum`), read and written as that value;
    the document describes it as a component named after the enum."""

    def __init__(self, choices_enum: type[enum.Enum], **kwargs: Any) -> None:
        self.enum = choices_enum
        super().__init__(choices=[(member.value, member.value) for member in choices_enum], **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return self.enum(super().to_internal_value(data))

    def to_representation(self, value: Any) -> Any:
        return value.value if isinstance(value, enum.Enum) else value


class MoneyField(serializers.DecimalField):
    """An amount as a decimal string (`"12.50"`), at most `max_digits` digits and 2 decimals; written back as one."""

    def __init__(self, *, max_digits: int = 12, **kwargs: Any) -> None:
        super().__init__(max_digits=max_digits, decimal_places=2, coerce_to_string=True, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        return super().to_internal_value(require_string(self, data))


class StrictEmailField(serializers.EmailField):
    def to_internal_value(self, data: Any) -> str:
        return str(super().to_internal_value(require_string(self, data)))


# --- the OpenAPI document ------------------------------------------------------------------------------------------


class EnumFieldSchema(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    """An `EnumField` is a reference to its enum's component (`ItemStatus`), as generated clients name it."""

    target_class = EnumField
    match_subclasses = True

    def get_name(self) -> str | None:
        return str(self.target.enum.__name__)

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        values = [member.value for member in self.target.enum]
        return {"type": "string", "enum": values}


class MoneyFieldSchema(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    """Money is a decimal string in the document too (drf-spectacular would offer a number as well)."""

    target_class = MoneyField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = build_basic_type(OpenApiTypes.STR) or {}
        pattern = rf"^-?\d{{0,{self.target.max_digits - 2}}}(?:\.\d{{0,2}})?$"
        return {**schema, "format": "decimal", "pattern": pattern}
