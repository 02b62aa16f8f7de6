"""problem+json for every error: DRF's exceptions (exception handler) and Django's own (handler400/403/404/500)."""

from __future__ import annotations

import logging
from typing import Any, Final

from django.conf import settings as django_settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from rest_framework import exceptions
from rest_framework.settings import api_settings

from ..core.problems import (
    DATABASE_RETRY_AFTER_S,
    DATABASE_UNAVAILABLE_DETAIL,
    GENERIC_DETAILS,
    INVALID_JSON_DETAIL,
    invalid_fields_detail,
)
from ..middleware.django import EXCEPTION_KEY
from ..problems import problem_response

logger = logging.getLogger(__name__)

PUBLIC_500_DETAIL: Final = "The server failed to handle the request; quote the request id when reporting it"

FieldErrors = list[dict[str, str]]


class RequestValidationError(exceptions.APIException):
    """Invalid input: a 422 whose body lists every invalid field (`body.name`, `query.limit`, `path.item_id`)."""

    status_code = 422

    def __init__(self, errors: FieldErrors) -> None:
        super().__init__("invalid request")
        self.errors = errors


def field_errors(location: str, detail: Any) -> FieldErrors:
    """Flatten DRF's nested error detail into `{"field": "body.tags.0", "message": ...}` entries."""
    if isinstance(detail, dict):
        errors: FieldErrors = []
        for key, value in detail.items():
            nested = location if key == api_settings.NON_FIELD_ERRORS_KEY else f"{location}.{key}"
            errors.extend(field_errors(nested, value))
        return errors
    if isinstance(detail, list):
        if all(isinstance(entry, str) for entry in detail):
            return [{"field": location, "message": str(entry)} for entry in detail]
        nested_errors: FieldErrors = []
        for index, entry in enumerate(detail):
            if entry:
                nested_errors.extend(field_errors(f"{location}.{index}", entry))
        return nested_errors
    return [{"field": location, "message": str(detail)}]


def invalid(location: str, detail: Any) -> RequestValidationError:
    return RequestValidationError(field_errors(location, detail))


def validation_problem(errors: FieldErrors, instance: str) -> HttpResponse:
    return problem_response(422, invalid_fields_detail(len(errors)), instance, errors=errors)


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> HttpResponse | None:  # noqa: PLR0911
    """DRF's EXCEPTION_HANDLER. Returns None for anything unexpected: Django logs it and answers with handler500."""
    request = context["request"]
    path: str = request.path
    if isinstance(exc, RequestValidationError):
        return validation_problem(exc.errors, path)
    if isinstance(exc, exceptions.ValidationError):
        return validation_problem(field_errors("body", exc.detail), path)
    if isinstance(exc, exceptions.ParseError):
        return problem_response(400, INVALID_JSON_DETAIL, path)
    if isinstance(exc, Http404):
        return problem_response(404, str(exc) or GENERIC_DETAILS[404], path)
    if isinstance(exc, exceptions.MethodNotAllowed):
        view = context.get("view")
        allowed = ", ".join(view.allowed_methods) if view is not None else ""
        return problem_response(405, GENERIC_DETAILS[405], path, headers={"Allow": allowed})
    if isinstance(exc, exceptions.Throttled):
        wait = max(1, round(getattr(exc, "wait", None) or 1))
        return problem_response(
            429, f"Too many requests; retry after {wait} seconds", path, headers={"Retry-After": str(wait)}
        )
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed, exceptions.PermissionDenied)):
        # 401 and 403 say how to authenticate (RFC 6750): the refusal's own challenge (the bearer authentication's), or
        # the one DRF took from the view's authentication class. Without one, DRF has already made the 401 a 403.
        challenge = getattr(exc, "challenge", None) or getattr(exc, "auth_header", None)
        headers = {"WWW-Authenticate": challenge} if challenge else None
        return problem_response(exc.status_code, str(exc.detail), path, headers=headers)
    if isinstance(exc, (OperationalError, InterfaceError)):
        # The database did not answer (down, unreachable, no free connection, statement timeout): the client may
        # retry. The driver's message can name hosts and users: it goes to the log, never to the client.
        logger.warning("database unavailable: %s", exc)
        return problem_response(
            503, DATABASE_UNAVAILABLE_DETAIL, path, headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)}
        )
    if isinstance(exc, exceptions.APIException):
        # `wait` (seconds), as DRF's own handler reads it: e.g. the 503 of rate limiting when it fails closed.
        retry_after = getattr(exc, "wait", None)
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return problem_response(exc.status_code, str(exc.detail), path, headers=headers)
    return None


def scope_of(request: Any) -> dict[str, Any]:
    scope: dict[str, Any] = getattr(request, "scope", None) or {}
    return scope


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem_response(400, "The request is malformed", request.path)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem_response(403, "You may not access this resource", request.path)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem_response(404, GENERIC_DETAILS[404], request.path)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django has logged the exception (with its trace and the request id); the body never carries a trace."""
    exc = scope_of(request).get(EXCEPTION_KEY)
    expose = django_settings.SERVICE_SETTINGS.is_development
    detail = f"{type(exc).__name__}: {exc}" if expose and exc is not None else PUBLIC_500_DETAIL
    return problem_response(500, detail, request.path)
