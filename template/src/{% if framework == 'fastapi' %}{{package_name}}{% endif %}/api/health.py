"""Health endpoints for orchestrators (live, ready) and humans (summary). Never rate limited, never cached."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from .. import __version__
from ..core.health import HealthSummary, Liveness, Readiness, encoded_checks, health_summary, not_ready, readiness
from ..core.problems import PROBLEM_MEDIA_TYPE
from ..fixed_routes import FixedResponseRoute
from ..openapi import DescribedRouter
from ..problems import problem_response
from .dependencies import ServiceStateDep, SettingsDep

router = DescribedRouter(
    prefix="/health", tags=["health"], description="Liveness, readiness and a summary for monitors."
)

_NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {
        "description": "Not ready: shutting down, or a dependency the service cannot serve without failed (see "
        "`checks`)",
        "content": {
            PROBLEM_MEDIA_TYPE: {
                "schema": {"$ref": "#/components/schemas/Problem"},
                "example": {
                    "type": "about:blank",
                    "title": "Service Unavailable",
                    "status": 503,
                    "detail": "Not ready: database failed",
                    "instance": "/health/ready",
                    "request_id": "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed",
                    "checks": {"database": {"status": "fail", "duration_ms": 1000.2, "detail": "no answer within 1 s"}},
                },
            }
        },
    }
}


# Route names are the operationIds in the OpenAPI document (see openapi.py): stable names for generated clients.
async def live() -> Liveness:
    return Liveness()


# Answered from memory after the first request (fixed_routes.py): probes call it all the time.
router.add_api_route(
    "/live",
    live,
    methods=["GET"],
    name="health_live",
    summary="Liveness: the process serves HTTP",
    route_class_override=FixedResponseRoute,
)


@router.get(
    "/ready",
    name="health_ready",
    summary="Readiness: the service can take traffic",
    description="200 while the service can serve: with a dependency it serves without failing (Redis), the body "
    "says `degraded`. 503 once it is stopping, or while a dependency it cannot serve without fails (the database).",
    response_model=Readiness,
    responses=_NOT_READY,
)
async def ready(request: Request, state: ServiceStateDep) -> Response:
    checks = await state.run_checks()
    if detail := not_ready(state, checks):
        return problem_response(503, detail, request.url.path, checks=encoded_checks(checks))
    return JSONResponse(readiness(checks).model_dump())


@router.get(
    "",
    name="health_summary",
    summary="Health summary for humans and monitors",
    response_model=HealthSummary,
    responses={503: {"model": HealthSummary, "description": "Degraded or shutting down"}},
)
async def summary(state: ServiceStateDep, settings: SettingsDep) -> Response:
    body = health_summary(state, await state.run_checks(), settings, version=__version__)
    return JSONResponse(body.model_dump(), status_code=body.http_status)
