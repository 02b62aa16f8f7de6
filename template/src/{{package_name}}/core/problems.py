"""RFC 9457 problem details: the one error format of the service, for every status, framework and code path.

The framework's `problems.py` turns its own errors into these bodies; pure ASGI layers answer with `send_problem`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field

from .asgi_types import Send
from .request_context import current_request_id

PROBLEM_MEDIA_TYPE: Final = "application/problem+json"
_EXAMPLE_REQUEST_ID: Final = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"


class Problem(BaseModel):
    """An error response (RFC 9457)."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "type": "about:blank",
                "title": "Not Found",
                "status": 404,
                "detail": "Not Found",
                "instance": "/api/v1/nothing-here",
                "request_id": _EXAMPLE_REQUEST_ID,
            }
        }
    )

    type: str = Field(default="about:blank", description="URI identifying the problem type")
    title: str = Field(description="Short summary of the problem type (the HTTP reason phrase)")
    status: int = Field(ge=100, le=599, description="HTTP status code")
    detail: str = Field(description="Explanation specific to this occurrence")
    instance: str = Field(description="Path of the request that failed")
    request_id: str | None = Field(description="Id of the request (also in the X-Request-ID header and logs)")


class FieldError(BaseModel):
    field: str = Field(description="Dotted location of the invalid value, e.g. body.name or query.limit")
    message: str


class ValidationProblem(Problem):
    """A request that failed validation (422), with one entry per invalid field."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "type": "about:blank",
                "title": "Unprocessable Content",
                "status": 422,
                "detail": "The request has 1 invalid field",
                "instance": "/api/v1/example",
                "request_id": _EXAMPLE_REQUEST_ID,
                "errors": [{"field": "body.name", "message": "String should have at least 1 character"}],
            }
        }
    )

    errors: list[FieldError]


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


GENERIC_DETAILS: Final = {
    404: "No resource exists at this path",
    405: "This method is not allowed on this resource",
}
"""What a 404 or a 405 of the router says (a resource's own 404 names what does not exist)."""
INVALID_JSON_DETAIL: Final = "The request body is not valid JSON"
DATABASE_UNAVAILABLE_DETAIL: Final = "The database is not available; try again shortly"
DATABASE_RETRY_AFTER_S: Final = 5
"""Seconds a client should wait before retrying a call the database could not answer (its 503's `Retry-After`)."""


def invalid_fields_detail(count: int) -> str:
    """The detail of a 422 whose `errors` list `count` invalid fields."""
    return f"The request has {count} invalid field{'s' if count != 1 else ''}"


def problem_body(status: int, detail: str, instance: str, **extra: Any) -> bytes:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": reason(status),
        "status": status,
        "detail": detail,
        "instance": instance,
        "request_id": current_request_id(),
        **extra,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


async def send_problem(
    send: Send, status: int, detail: str, instance: str, headers: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    """Send a problem response from pure ASGI middleware, where the framework's request objects do not exist."""
    body = problem_body(status, detail, instance)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def problem_example(status: int, instance: str = "/api/v1", detail: str | None = None) -> dict[str, Any]:
    """An example body for an OpenAPI document (one example per problem type); its `instance` is the path of the
    operation documenting it, and a resource gives its own `detail` where the service's generic one says less."""
    example: dict[str, Any] = {
        "type": "about:blank",
        "title": reason(status),
        "status": status,
        "detail": detail or EXAMPLE_DETAILS.get(status, reason(status)),
        "instance": instance,
        "request_id": _EXAMPLE_REQUEST_ID,
    }
    if status == 422:
        example["errors"] = [{"field": "body.name", "message": "String should have at least 1 character"}]
    return example


EXAMPLE_DETAILS: Final = {
    400: INVALID_JSON_DETAIL,
    404: "Not Found",
    413: "The request body exceeds the limit of 1048576 bytes",
    409: "The request conflicts with the current state of the resource",
    412: "If-Match does not name the current ETag: read it again, then retry",
    415: "The request body must be application/json",
    422: invalid_fields_detail(1),
    429: "Too many requests; retry after 12 seconds",
    431: "The request headers exceed the limit of 65536 bytes",
    500: "The server failed to handle the request; quote the request id when reporting it",
    503: "The service is shutting down",
}

PROBLEM_SCHEMAS: Final = {
    "Problem": Problem.model_json_schema(ref_template="#/components/schemas/{model}"),
    "FieldError": FieldError.model_json_schema(ref_template="#/components/schemas/{model}"),
    "ValidationProblem": {
        key: value
        for key, value in ValidationProblem.model_json_schema(ref_template="#/components/schemas/{model}").items()
        if key != "$defs"
    },
}
