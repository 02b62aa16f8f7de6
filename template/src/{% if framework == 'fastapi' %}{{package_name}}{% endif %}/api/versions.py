"""A resource's routes served again under its next API version (core/api_versions.py, README: "Versioned APIs").

`successor_router(items.router, deprecation)` is a router with every route of `items.router` under
`deprecation.path` (`/api/v1/items`) served at the same place under `deprecation.successor` (`/api/v2/items`): the
same endpoint, dependencies (scopes, limits), responses and documentation, an operationId ending in the version
(`list_items_v2`). A route the new version changes is named in `skip` and declared on a router of its own, listed in
`RESOURCE_ROUTERS` too.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.routing import APIRoute

from ..core.api_versions import Deprecation
from ..route_guards import api_router
from .paths import API_PREFIX


def successor_router(router: APIRouter, deprecation: Deprecation, *, skip: frozenset[str] = frozenset()) -> APIRouter:
    """`router`'s routes under `deprecation.path`, served under `deprecation.successor`, except the route names in
    `skip` (those the new version declares its own way)."""
    version = deprecation.successor.removeprefix(API_PREFIX + "/").split("/")[0]  # "v2"
    successor = api_router()
    for route in router.routes:
        if not isinstance(route, APIRoute) or not deprecation.covers(route.path) or route.name in skip:
            continue
        successor.add_api_route(
            deprecation.successor + route.path.removeprefix(deprecation.path),
            route.endpoint,
            methods=route.methods,
            name=f"{route.name}_{version}",  # the operationId: unique in the document
            response_model=route.response_model,
            status_code=route.status_code,
            tags=route.tags,
            dependencies=route.dependencies,
            summary=route.summary,
            description=route.description,
            response_description=route.response_description,
            responses=route.responses,
            include_in_schema=route.include_in_schema,
            response_class=route.response_class,
            openapi_extra=route.openapi_extra,
        )
    return successor
