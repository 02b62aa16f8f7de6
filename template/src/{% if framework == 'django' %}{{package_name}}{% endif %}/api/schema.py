"""OpenAPI documentation of problem+json responses (drf-spectacular), each with an example."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final

from django.apps import apps
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers

from ..core.problems import EXAMPLE_DETAILS, PROBLEM_MEDIA_TYPE, reason


class ProblemSerializer(serializers.Serializer[Any]):
    """An error response (RFC 9457)."""

    type = serializers.CharField(default="about:blank", help_text="URI identifying the problem type")
    title = serializers.CharField(help_text="Short summary of the problem type (the HTTP reason phrase)")
    status = serializers.IntegerField(min_value=100, max_value=599, help_text="HTTP status code")
    detail = serializers.CharField(help_text="Explanation specific to this occurrence")
    instance = serializers.CharField(help_text="Path of the request that failed")
    request_id = serializers.CharField(
        allow_null=True, help_text="Id of the request (also in the X-Request-ID header and logs)"
    )

    class Meta:
        ref_name = "Problem"


class FieldErrorSerializer(serializers.Serializer[Any]):
    field = serializers.CharField(help_text="Dotted location of the invalid value, e.g. body.name or query.limit")
    message = serializers.CharField()

    class Meta:
        ref_name = "FieldError"


class ValidationProblemSerializer(ProblemSerializer):
    """A request that failed validation (422), with one entry per invalid field."""

    # A declared field, not Serializer.errors: DRF's metaclass moves fields off the class.
    errors = FieldErrorSerializer(many=True)  # type: ignore[assignment]

    class Meta:
        ref_name = "ValidationProblem"


NO_NUL_CHARACTERS: Final = r"^[^\x00]*$"

EXAMPLE_REQUEST_ID: Final = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"
_FIELD_MESSAGES: Final = {
    "body.name": "This field may not be blank.",
    "query.limit": "Ensure this value is less than or equal to 100.",
    "path.item_id": "Input should be a valid UUID",
}


def example(status: int, *, instance: str, field: str = "body.name", detail: str | None = None) -> dict[str, Any]:
    """A problem body as the service sends it; `instance` is the path, `field` the invalid input of a 422, `detail`
    what the operation says where the service's generic text says less."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": reason(status),
        "status": status,
        "detail": detail or EXAMPLE_DETAILS.get(status, reason(status)),
        "instance": instance,
        "request_id": EXAMPLE_REQUEST_ID,
    }
    if status == 422:
        body["errors"] = [{"field": field, "message": _FIELD_MESSAGES.get(field, "This field is required.")}]
    return body


def problem_responses(
    *statuses: int, instance: str, field: str = "body.name", details: Mapping[int, str] | None = None
) -> dict[Any, OpenApiResponse]:
    """`responses=` entries documenting problem+json errors, each with an example of this operation's own: its path
    (`instance`), the invalid input of its 422 (`field`) and, by status, its own `details`."""
    details = details or {}
    return {
        (status, PROBLEM_MEDIA_TYPE): OpenApiResponse(
            response=ValidationProblemSerializer if status == 422 else ProblemSerializer,
            description=reason(status),
            examples=[
                OpenApiExample(
                    reason(status),
                    value=example(status, instance=instance, field=field, detail=details.get(status)),
                    response_only=True,
                )
            ],
        )
        for status in statuses
    }


def _components(result: dict[str, Any], operations: list[dict[str, Any]], part: str) -> set[str]:
    """Names of the components an operation's request body (`part="requestBody"`) or responses refer to."""
    text = json.dumps([operation.get(part, {}) for operation in operations], default=str)
    return set(re.findall(r'"#/components/schemas/([A-Za-z0-9_]+)"', text))


def document_service_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook, making the document say what the service does:
    - request bodies come from StrictInputSerializer (undeclared fields refused) and DRF's text fields refuse NUL
      characters (most databases cannot store them): `additionalProperties: false` and a pattern (on text without a
      `format`) say both;
    - an answer carries every field of its serializer: all of a response schema's properties are required;
    - a page of a list is `<Name>Page` (drf-spectacular says `Paginated<Name>List`).
    """
    operations = [operation for methods in result["paths"].values() for operation in methods.values()]
    schemas: dict[str, Any] = result.get("components", {}).get("schemas", {})
    requests = _components(result, operations, "requestBody")
    for name in requests:
        schema = schemas[name]
        schema["additionalProperties"] = False
        for field in schema.get("properties", {}).values():
            kinds = field.get("type")
            is_text = kinds == "string" or (isinstance(kinds, list) and "string" in kinds)
            # A `format` (date-time, uuid, ...) has a grammar of its own, which no NUL character belongs to; a password
            # is any text, and refuses NUL as the others do.
            if is_text and "pattern" not in field and field.get("format", "password") == "password":
                field["pattern"] = NO_NUL_CHARACTERS
    for name in _components(result, operations, "responses") - requests:
        schema = schemas.get(name, {})
        if schema.get("type") == "object" and "properties" in schema and name not in PROBLEM_SCHEMAS:
            schema["required"] = list(schema["properties"])
    return rename_pages(result)


PROBLEM_SCHEMAS: Final = frozenset({"Problem", "ValidationProblem", "FieldError"})


def rename_pages(result: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = result.get("components", {}).get("schemas", {})
    renames = {}
    for name in list(schemas):
        match = re.fullmatch(r"Paginated(\w+)List", name)
        if match:
            renames[f"#/components/schemas/{name}"] = f"#/components/schemas/{match[1]}Page"
            schemas[f"{match[1]}Page"] = schemas.pop(name)
    renamed: dict[str, Any] = _replace_refs(result, renames)
    return renamed


def _replace_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {
            key: renames.get(value, value) if key == "$ref" else _replace_refs(value, renames)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_replace_refs(value, renames) for value in node]
    return node


# The service's own tags; each resource's app describes its own (`openapi_tag` on its AppConfig, see items/apps.py).
SERVICE_TAGS: Final = (
    {"name": "health", "description": "Liveness, readiness and a summary for monitors."},
    {"name": "debug", "description": "Endpoints that exist only outside production."},
)


def document_tags(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook: the document's `tags` are the installed apps' own (in `INSTALLED_APPS`
    order), then the service's, so a new resource needs no edit to shared settings to describe its tag."""
    resources = [getattr(config, "openapi_tag", None) for config in apps.get_app_configs()]
    result["tags"] = [*(dict(tag) for tag in resources if tag), *(dict(tag) for tag in SERVICE_TAGS)]
    return result
