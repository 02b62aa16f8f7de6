"""What every resource's serializers are made of: strict fields (no type coercion: `"12"` is not a number, `12` is
not a name, `"yes"` is not a boolean), `StrictInputSerializer`, which refuses fields it does not declare, and
`ResponseSerializer`, a resource's answer, whose fields are worked out from its model once."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import models
from rest_framework import serializers
from rest_framework.fields import Field

from .fields import EnumField


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


RowT = TypeVar("RowT", bound=models.Model)


class ResponseSerializer(serializers.ModelSerializer[RowT]):
    """A resource's answer: a `ModelSerializer` whose fields are worked out from its `Meta` once per class.

    DRF's `ModelSerializer` introspects the model and builds every field again for each instance, that is on every
    request, a large share of a read's CPU; what it builds depends on the class alone. Each instance still gets its
    own copies, made as DRF makes a plain `Serializer`'s declared fields: bound to that instance and its context.
    """

    def get_fields(self) -> dict[str, Field[Any, Any, Any, Any]]:
        cls = type(self)
        # The class's own attribute, not an inherited one: a subclass declares other fields.
        built: dict[str, Field[Any, Any, Any, Any]] | None = cls.__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            cls._built_fields = built  # type: ignore[attr-defined]
        return copy.deepcopy(built)


# The fields whose answer depends on the value alone: their `to_representation` reads neither the serializer's
# context (the request, the view) nor anything else per request. A field of any other kind (a relation, a URL, a
# file, a `SerializerMethodField`, one of the service's own with its own `to_representation`) is not listed.
_VALUE_ONLY: frozenset[Any] = frozenset(
    kind.to_representation
    for kind in (
        serializers.CharField,
        serializers.IntegerField,
        serializers.FloatField,
        serializers.BooleanField,
        serializers.UUIDField,
        serializers.DateTimeField,
        serializers.DateField,
        serializers.TimeField,
        serializers.DecimalField,
        serializers.ChoiceField,
        serializers.JSONField,
        serializers.ReadOnlyField,
        EnumField,
    )
)
_CONTAINERS: frozenset[Any] = frozenset(
    (serializers.ListField.to_representation, serializers.DictField.to_representation)
)
_SHARED: dict[type[serializers.BaseSerializer[Any]], serializers.Serializer[Any] | None] = {}


def _value_only(field: Field[Any, Any, Any, Any]) -> bool:
    kind = type(field)
    if kind.get_attribute is not Field.get_attribute:  # the attribute read as DRF reads it (`source`)
        return False
    if kind.to_representation in _CONTAINERS:
        return _value_only(field.child)  # type: ignore[attr-defined]
    return kind.to_representation in _VALUE_ONLY


def shared_answer_serializer(
    serializer_class: type[serializers.BaseSerializer[Any]],
) -> serializers.Serializer[Any] | None:
    """One instance of `serializer_class`, its fields bound once, that turns any row into its answer; None when an
    answer could depend on the request (a field not in `_VALUE_ONLY`, or the class's own `to_representation`).

    An answer made through the view's serializer builds and binds a copy of every field for each row, which cost a
    read by id about as many Python calls as its database statement; the shared instance only reads its fields, so
    the request threads use it at once. tests/test_fast_paths.py compares its answers with the view's serializer's.
    """
    try:
        return _SHARED[serializer_class]
    except KeyError:
        pass
    shared: serializers.Serializer[Any] | None = None
    if (
        isinstance(serializer_class, type)
        and issubclass(serializer_class, serializers.Serializer)
        and serializer_class.to_representation is serializers.Serializer.to_representation
    ):
        candidate = serializer_class(context={})
        if all(_value_only(field) for field in candidate.fields.values()):  # `fields` is built here, once
            shared = candidate
    _SHARED[serializer_class] = shared
    return shared
