"""`/api/v1/debug/error` fails on purpose, to check error reporting end to end. Never routed in production."""

from __future__ import annotations

from typing import ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from .base import ServiceAPIView
from .schema import problem_responses


class DeliberateError(RuntimeError):
    """Raised by the debug route; seeing it in logs or Sentry proves error reporting works."""


class DebugErrorView(ServiceAPIView):
    # Any valid token, no scope (with authentication on; an open API lets anyone in).
    required_scopes: ClassVar[dict[str, tuple[str, ...]]] = {"GET": ()}

    @extend_schema(
        summary="Raise an unhandled error (not in production)",
        operation_id="debug_error",
        tags=["debug"],
        responses=problem_responses(500, instance="/api/v1/debug/error"),
    )
    def get(self, request: Request) -> Response:
        raise DeliberateError("Deliberate failure from /api/v1/debug/error")
