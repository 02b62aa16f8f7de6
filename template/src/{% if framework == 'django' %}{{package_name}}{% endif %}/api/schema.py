"""OpenAPI documentation of problem+json responses (drf-spectacular), each with an example."""

from __future__ import annotations

from typing import Any, Final

from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers

from ..core.problems import PROBLEM_MEDIA_TYPE, reason


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

_EXAMPLE_DETAILS: Final = {
    400: "The request body is not valid JSON",
    404: "Item 3fa85f64-5717-4562-b3fc-2c963f66afa6 does not exist",
    413: "The request body exceeds the limit of 1048576 bytes",
    422: "The request has 1 invalid field",
    429: "Too many requests; retry after 12 seconds",
    500: "The server failed to handle the request; quote the request id when reporting it",
    503: "The service is shutting down",
}


def example(status: int) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": reason(status),
        "status": status,
        "detail": _EXAMPLE_DETAILS.get(status, reason(status)),
        "instance": "/api/v1/items",
        "request_id": "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed",
    }
    if status == 422:
        body["errors"] = [{"field": "body.name", "message": "This field may not be blank."}]
    return body


def problem_responses(*statuses: int) -> dict[Any, OpenApiResponse]:
    """`responses=` entries documenting problem+json errors, each with an example."""
    return {
        (status, PROBLEM_MEDIA_TYPE): OpenApiResponse(
            response=ValidationProblemSerializer if status == 422 else ProblemSerializer,
            description=reason(status),
            examples=[OpenApiExample(reason(status), value=example(status), response_only=True)],
        )
        for status in statuses
    }


def forbid_unknown_request_fields(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook: request bodies (`*Request` components, see COMPONENT_SPLIT_REQUEST)
    come from StrictInputSerializer, which refuses undeclared fields, and DRF's text fields refuse NUL characters
    (most databases cannot store them); say both in the schema."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and schema.get("type") == "object":
            schema["additionalProperties"] = False
            for field in schema.get("properties", {}).values():
                kinds = field.get("type")
                if (kinds == "string" or (isinstance(kinds, list) and "string" in kinds)) and "pattern" not in field:
                    field["pattern"] = NO_NUL_CHARACTERS
    return result
