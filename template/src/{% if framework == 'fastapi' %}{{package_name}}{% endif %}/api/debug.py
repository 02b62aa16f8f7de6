"""`/api/v1/debug/error` fails on purpose, to check error reporting end to end. Never mounted in production."""

from __future__ import annotations

from starlette.responses import Response

from ..problems import problem_openapi_responses
from ..route_guards import api_router
from .access import requires
from .paths import API_V1

router = api_router(
    prefix=f"{API_V1}/debug", tags=["debug"], description="Endpoints that exist only outside production."
)


class DeliberateError(RuntimeError):
    """Raised by the debug route; seeing it in logs or Sentry proves error reporting works."""


# It never succeeds: 500 is its only documented answer (status_code and a bare Response keep FastAPI from
# documenting a 200 it would never send).
@router.get(
    "/error",
    name="debug_error",
    summary="Raise an unhandled error (not in production)",
    status_code=500,
    response_class=Response,
    responses=problem_openapi_responses(500),
    dependencies=[requires()],  # any valid token
)
async def raise_error() -> None:
    raise DeliberateError("Deliberate failure from /api/v1/debug/error")
