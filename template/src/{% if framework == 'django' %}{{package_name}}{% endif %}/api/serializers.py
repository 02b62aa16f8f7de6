"""What every resource's request serializers are made of: strict fields (no type coercion: `"12"` is not a number,
`12` is not a name, `"yes"` is not a boolean) and `StrictInputSerializer`, which refuses fields it does not declare."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """DRF turns numbers into strings; JSON numbers are not names."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictRegexField(serializers.RegexField):
    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class StrictIntegerField(serializers.IntegerField):
    """Integers only: `"12"` and `true` are refused; `12.0` is accepted (JSON does not tell it from 12)."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, float) and data.is_integer():
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))


class StrictBooleanField(serializers.BooleanField):
    """JSON `true` or `false` only: DRF would also take `"yes"`, `"true"`, `1` or `"on"`."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictInputSerializer(serializers.Serializer[Any]):
    """A request body that refuses fields it does not declare (documented as `additionalProperties: false` by
    `api.schema.forbid_unknown_request_fields`, which relies on every request serializer deriving from this)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)
