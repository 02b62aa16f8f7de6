"""`GET /`: the service's name, version and links (core/service_index.py), answered from memory.

Like `/docs` and `/openapi.json` it is not an operation of the API, so the OpenAPI document leaves it out.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ..fixed_routes import FixedResponseRoute


def index_router(body: dict[str, Any]) -> APIRouter:
    router = APIRouter(route_class=FixedResponseRoute, include_in_schema=False)

    @router.get("/", name="service_index")
    async def service_index() -> JSONResponse:
        return JSONResponse(body)

    return router
