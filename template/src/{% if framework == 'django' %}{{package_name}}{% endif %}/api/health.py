"""Health endpoints for orchestrators (live, ready) and humans (summary). Never rate limited, never cached."""

from __future__ import annotations

from typing import Any, Literal

from asgiref.sync import async_to_sync
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from .. import __version__
from ..problems import problem_response
from ..runtime import service_of
from .base import ServiceAPIView
from .schema import problem_responses

_CHECKS = serializers.DictField(child=serializers.DictField(), help_text="One entry per dependency the service needs")
_LIVENESS = inline_serializer("Liveness", {"status": serializers.CharField(default="ok")})
_READINESS = inline_serializer("Readiness", {"status": serializers.CharField(default="ok"), "checks": _CHECKS})
_SUMMARY = inline_serializer(
    "HealthSummary",
    {
        "status": serializers.ChoiceField(choices=["ok", "degraded", "shutting_down"]),
        "version": serializers.CharField(),
        "environment": serializers.CharField(),
        "checks": _CHECKS,
    },
)


class LiveView(ServiceAPIView):
    @extend_schema(summary="Liveness: the process serves HTTP", tags=["health"], responses={200: _LIVENESS})
    def get(self, request: Request) -> Response:
        return Response({"status": "ok"})


class ReadyView(ServiceAPIView):
    @extend_schema(
        summary="Readiness: the service can take traffic",
        tags=["health"],
        responses={200: _READINESS, **problem_responses(503)},
    )
    def get(self, request: Request) -> HttpResponse:
        state = service_of(request).state
        checks = async_to_sync(state.run_checks)()
        encoded = {name: result.model_dump() for name, result in checks.items()}
        failed = [name for name, result in checks.items() if result.status != "ok"]
        if state.shutting_down or failed:
            detail = "Not ready: shutting down" if state.shutting_down else f"Not ready: {', '.join(failed)} failed"
            return problem_response(503, detail, request.path, checks=encoded)
        return Response({"status": "ok", "checks": encoded})


class SummaryView(ServiceAPIView):
    @extend_schema(
        summary="Health summary for humans and monitors",
        tags=["health"],
        responses={200: _SUMMARY, 503: OpenApiResponse(_SUMMARY, description="Degraded or shutting down")},
    )
    def get(self, request: Request) -> Response:
        service = service_of(request)
        checks = async_to_sync(service.state.run_checks)()
        status: Literal["ok", "degraded", "shutting_down"] = "ok"
        if service.state.shutting_down:
            status = "shutting_down"
        elif any(result.status != "ok" for result in checks.values()):
            status = "degraded"
        body: dict[str, Any] = {
            "status": status,
            "version": __version__,
            "environment": service.settings.environment,
            "checks": {name: result.model_dump() for name, result in checks.items()},
        }
        return Response(body, status=200 if status == "ok" else 503)
