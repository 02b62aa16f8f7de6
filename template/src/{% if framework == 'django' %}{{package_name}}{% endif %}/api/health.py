"""Health endpoints for orchestrators (live, ready) and humans (summary). Never rate limited, never cached."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from django.conf import settings as django_settings
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from .. import __version__
from ..core.health import encoded_checks, health_summary, not_ready, readiness
from ..integrations import wiring
from ..problems import problem_response
from .base import PublicAPIView
from .schema import problem_responses

_CHECK_RESULT = inline_serializer(
    "CheckResult",
    {
        "status": serializers.ChoiceField(
            choices=["ok", "degraded", "fail"],
            help_text="`fail`: a dependency the service cannot serve without; `degraded`: one it serves without",
        ),
        "duration_ms": serializers.FloatField(help_text="How long the check took"),
        "detail": serializers.CharField(allow_null=True, help_text="Why the check failed (null when it passed)"),
    },
)
_CHECKS = serializers.DictField(child=_CHECK_RESULT, help_text="One entry per dependency the service uses")
_LIVENESS = inline_serializer("Liveness", {"status": serializers.CharField(default="ok")})
_READINESS = inline_serializer(
    "Readiness",
    {
        "status": serializers.ChoiceField(
            choices=["ok", "degraded"],
            default="ok",
            help_text="`degraded`: a dependency the service serves without is failing (see `checks`)",
        ),
        "checks": _CHECKS,
    },
)
_SUMMARY = inline_serializer(
    "HealthSummary",
    {
        "status": serializers.ChoiceField(choices=["ok", "degraded", "shutting_down"]),
        "version": serializers.CharField(),
        "environment": serializers.CharField(),
        "database": serializers.CharField(
            help_text="Engine and database name (`postgresql/app`), never the host or credentials"
        ),
        "checks": _CHECKS,
    },
)


class HealthView(PublicAPIView):
    throttle_classes = []  # noqa: RUF012 - orchestrators probe often; never rate limited


# Django answers the first `GET` and `HEAD`; from then on `FixedResponseMiddleware` replays that answer
# (fixed_responses.py, `asgi.FIXED_RESPONSE_URLS`): keep it an answer that never changes. (A comment, not a
# docstring: drf-spectacular would put a docstring in the OpenAPI document.)
class LiveView(HealthView):
    @extend_schema(
        summary="Liveness: the process serves HTTP",
        operation_id="health_live",
        tags=["health"],
        responses={200: _LIVENESS},
    )
    def get(self, request: Request) -> Response:
        return Response({"status": "ok"})


class ReadyView(HealthView):
    @extend_schema(
        summary="Readiness: the service can take traffic",
        description="200 while the service can serve: with a dependency it serves without failing (Redis), the "
        "body says `degraded`. 503 once it is stopping, or while a dependency it cannot serve without fails (the "
        "database).",
        operation_id="health_ready",
        tags=["health"],
        responses={200: _READINESS, **problem_responses(503, instance="/health/ready")},
    )
    def get(self, request: Request) -> HttpResponse:
        state = wiring().state
        checks = async_to_sync(state.run_checks)()
        if detail := not_ready(state, checks):
            return problem_response(503, detail, request.path, checks=encoded_checks(checks))
        return Response(readiness(checks).model_dump())


class SummaryView(HealthView):
    @extend_schema(
        summary="Health summary for humans and monitors",
        operation_id="health_summary",
        tags=["health"],
        responses={200: _SUMMARY, 503: OpenApiResponse(_SUMMARY, description="Degraded or shutting down")},
    )
    def get(self, request: Request) -> Response:
        state = wiring().state
        settings = django_settings.SERVICE_SETTINGS
        body = health_summary(state, async_to_sync(state.run_checks)(), settings, version=__version__)
        return Response(body.model_dump(), status=body.http_status)
