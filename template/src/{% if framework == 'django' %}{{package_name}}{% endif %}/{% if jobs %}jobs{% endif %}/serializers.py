"""The operation as a client polls it."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..api.resources import shown_fields
from .models import Operation


@extend_schema_field({"type": ["object", "null"], "additionalProperties": True})
class ObjectOrNullField(serializers.JSONField):
    """A JSON object, or null."""


class OperationSerializer(serializers.ModelSerializer[Operation]):
    result = ObjectOrNullField(read_only=True, help_text="What it made, once it has succeeded; else null")
    error = ObjectOrNullField(read_only=True, help_text="Why it failed (a problem+json object) once it has; else null")
    progress = serializers.IntegerField(read_only=True, min_value=0, max_value=100, help_text="0-100")

    class Meta:
        model = Operation
        fields = shown_fields("kind", "status", "progress", "result", "error")
        read_only_fields = fields
