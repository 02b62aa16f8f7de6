"""RFC 9457 problem details: the one error format of the service, for every status and every code path."""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import Send

from .request_context import current_request_id

PROBLEM_MEDIA_TYPE: Final = "application/problem+json"


class Problem(BaseModel):
    """An error response (RFC 9457)."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "type": "about:blank",
                "title": "Not Found",
                "status": 404,
                "detail": "Item 3fa85f64-5717-4562-b3fc-2c963f66afa6 does not exist",
                "instance": "/api/v1/items/3fa85f64-5717-4562-b3fc-2c963f66afa6",
                "request_id": "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed",
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
                "instance": "/api/v1/items",
                "request_id": "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed",
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


def problem_response(
    status: int, detail: str, instance: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    return Response(
        problem_body(status, detail, instance, **extra),
        status_code=status,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


async def send_problem(send: Send, status: int, detail: str, instance: str) -> None:
    """Send a problem response from pure ASGI middleware, where no Request/Response objects exist."""
    body = problem_body(status, detail, instance)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


_GENERIC_DETAILS: Final = {
    404: "No resource exists at this path",
    405: "This method is not allowed on this resource",
}


async def _http_exception(request: Request, exc: StarletteHTTPException) -> Response:
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != reason(exc.status_code) else None
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405:
        # The router names only the first route it tried; list every method the path supports.
        headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
    return problem_response(
        exc.status_code,
        detail or _GENERIC_DETAILS.get(exc.status_code, reason(exc.status_code)),
        request.url.path,
        headers=headers or None,
    )


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Methods documented for `path` in the app's OpenAPI paths (plus HEAD wherever GET is)."""
    table: list[tuple[re.Pattern[str], list[str]]] | None = getattr(app.state, "allowed_methods", None)
    if table is None:
        table = []
        for template, operations in app.openapi()["paths"].items():
            pattern = re.compile("^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template)) + "$")
            methods = sorted(method.upper() for method in operations)
            if "GET" in methods:
                methods.append("HEAD")
            table.append((pattern, methods))
        app.state.allowed_methods = table
    for pattern, methods in table:
        if pattern.match(path):
            return methods
    return []


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    errors = exc.errors()
    if any(error.get("type") == "json_invalid" for error in errors):
        return problem_response(400, "The request body is not valid JSON", request.url.path)
    field_errors = [{"field": _location(tuple(error["loc"])), "message": error["msg"]} for error in errors]
    count = len(field_errors)
    return problem_response(
        422,
        f"The request has {count} invalid field{'s' if count != 1 else ''}",
        request.url.path,
        errors=field_errors,
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Make FastAPI's own errors (404, 405, HTTPException, validation) problem+json."""
    app.exception_handler(StarletteHTTPException)(_http_exception)
    app.exception_handler(RequestValidationError)(_validation_error)


def problem_openapi_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries documenting problem+json errors, each with an example."""
    responses: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        schema = "ValidationProblem" if status == 422 else "Problem"
        responses[status] = {
            "description": reason(status),
            "content": {
                PROBLEM_MEDIA_TYPE: {
                    "schema": {"$ref": f"#/components/schemas/{schema}"},
                    "example": _example(status),
                }
            },
        }
    return responses


def _example(status: int) -> dict[str, Any]:
    example: dict[str, Any] = {
        "type": "about:blank",
        "title": reason(status),
        "status": status,
        "detail": _EXAMPLE_DETAILS.get(status, reason(status)),
        "instance": "/api/v1/items",
        "request_id": "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed",
    }
    if status == 422:
        example["errors"] = [{"field": "body.name", "message": "String should have at least 1 character"}]
    return example


_EXAMPLE_DETAILS: Final = {
    400: "The request body is not valid JSON",
    404: "Item 3fa85f64-5717-4562-b3fc-2c963f66afa6 does not exist",
    413: "The request body exceeds the limit of 1048576 bytes",
    422: "The request has 1 invalid field",
    429: "Too many requests; retry after 12 seconds",
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
