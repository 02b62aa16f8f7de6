"""FastAPI's errors as RFC 9457 problem details (the bodies themselves are `core/problems.py`)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from .core.problems import (
    DATABASE_RETRY_AFTER_S,
    DATABASE_UNAVAILABLE_DETAIL,
    GENERIC_DETAILS,
    INVALID_JSON_DETAIL,
    PROBLEM_MEDIA_TYPE,
    invalid_fields_detail,
    problem_body,
    problem_example,
    reason,
)
from .database import DatabaseUnavailableError

logger = logging.getLogger(__name__)


def problem_response(
    status: int, detail: str, instance: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    return Response(
        problem_body(status, detail, instance, **extra),
        status_code=status,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


async def _http_exception(request: Request, exc: StarletteHTTPException) -> Response:
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != reason(exc.status_code) else None
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405:
        # The router names only the first route it tried; list every method the path supports.
        headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
    return problem_response(
        exc.status_code,
        detail or GENERIC_DETAILS.get(exc.status_code, reason(exc.status_code)),
        request.url.path,
        headers=headers or None,
    )


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Methods documented for `path` in the app's OpenAPI paths (plus HEAD wherever GET is). A path of its own wins
    over one with parameters that also matches it (`/users/register` over `/users/{user_id}`), as routing does."""
    table: list[tuple[re.Pattern[str], list[str]]] | None = getattr(app.state, "allowed_methods", None)
    if table is None:
        table = []
        paths = app.openapi()["paths"]
        for path_template in sorted(paths, key=lambda documented: documented.count("{")):  # fewest parameters first
            pattern = re.compile("^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(path_template)) + "$")
            methods = sorted(method.upper() for method in paths[path_template])
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
        return problem_response(400, INVALID_JSON_DETAIL, request.url.path)
    field_errors = [{"field": _location(tuple(error["loc"])), "message": error["msg"]} for error in errors]
    return problem_response(422, invalid_fields_detail(len(field_errors)), request.url.path, errors=field_errors)


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    # The driver's message can name hosts and users: it goes to the log, never to the client.
    logger.warning("database unavailable: %s", exc.__cause__ or exc)
    return problem_response(
        503, DATABASE_UNAVAILABLE_DETAIL, request.url.path, headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)}
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Make FastAPI's own errors (404, 405, HTTPException, validation) and an unreachable database problem+json."""
    app.exception_handler(StarletteHTTPException)(_http_exception)
    app.exception_handler(RequestValidationError)(_validation_error)
    app.exception_handler(DatabaseUnavailableError)(_database_unavailable)


def problem_openapi_responses(
    *statuses: int, details: Mapping[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries documenting problem+json errors, each with an example (whose `detail` is the one
    `details` gives for its status, or the service's generic one)."""
    responses: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        schema = "ValidationProblem" if status == 422 else "Problem"
        responses[status] = {
            "description": reason(status),
            "content": {
                PROBLEM_MEDIA_TYPE: {
                    "schema": {"$ref": f"#/components/schemas/{schema}"},
                    "example": problem_example(status, detail=(details or {}).get(status)),
                }
            },
        }
    return responses
