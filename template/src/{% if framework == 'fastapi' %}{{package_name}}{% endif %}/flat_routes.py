"""`include_routes(app, router)`: `app.include_router(router)` with the router's routes added to the app's own list.

Why not `include_router`: in the FastAPI this service pins (0.165) an included router stays a router of its own,
matched again on every request. A request to the tenth route walks every router before it, and each of their
routes, setting and restoring FastAPI's route context in the request's scope at each step; the router that matches
then matches once more to handle the request (~300 Python calls of an item read, measured by
`bench/fastapi_parts.py`). Added as routes of the app, each is one regular expression to try.

What is kept: every option of each route (its path with the router's prefix, dependencies, responses, tags,
response class, operationId, body limit) combined with what the inclusion adds, as `include_router` combines them,
so the OpenAPI document is the same document (the contract tests compare it); `app.dependency_overrides` reach the
routes (their overrides provider is the app's). What is not: a route added to the router after it was included
does not exist in the app (include the router once it is complete, as the resources' routers are). A router holding
another kind of route (a mount, a frontend) is included the usual way. `tests/test_fast_paths.py` serves the same
requests through both and compares the answers and the document.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, params
from fastapi.datastructures import DefaultPlaceholder
from fastapi.routing import APIRoute, APIWebSocketRoute


def _or_default(value: Any, default: Any) -> Any:
    """The first of `value`, `default` that was given (FastAPI's `Default(...)` stands for "not given")."""
    return default if isinstance(value, DefaultPlaceholder) else value


def include_routes(
    app: FastAPI,
    router: APIRouter,
    *,
    dependencies: Sequence[params.Depends] = (),
    responses: dict[int | str, dict[str, Any]] | None = None,
) -> None:
    """Add every route of `router` to `app`, with `dependencies` before their own and `responses` under their own."""
    if not all(isinstance(route, (APIRoute, APIWebSocketRoute)) for route in router.routes):
        app.include_router(router, dependencies=dependencies, responses=responses)
        return
    for route in router.routes:
        if isinstance(route, APIWebSocketRoute):
            app.router.add_api_websocket_route(
                route.path, route.endpoint, name=route.name, dependencies=[*dependencies, *route.dependencies]
            )
            continue
        assert isinstance(route, APIRoute)  # noqa: S101 - checked above
        app.router.add_api_route(
            route.path,  # the router's prefix included
            route.endpoint,
            response_model=route.response_model,
            status_code=route.status_code,
            tags=list(route.tags),
            dependencies=[*dependencies, *route.dependencies],
            summary=route.summary,
            description=route.description,
            response_description=route.response_description,
            responses={**(responses or {}), **route.responses},
            deprecated=route.deprecated,
            methods=route.methods,
            operation_id=route.operation_id,
            response_model_include=route.response_model_include,
            response_model_exclude=route.response_model_exclude,
            response_model_by_alias=route.response_model_by_alias,
            response_model_exclude_unset=route.response_model_exclude_unset,
            response_model_exclude_defaults=route.response_model_exclude_defaults,
            response_model_exclude_none=route.response_model_exclude_none,
            include_in_schema=route.include_in_schema,
            response_class=_or_default(route.response_class, router.default_response_class),
            name=route.name,
            route_class_override=type(route),
            callbacks=route.callbacks,
            openapi_extra=route.openapi_extra,
            generate_unique_id_function=_or_default(
                route.generate_unique_id_function, router.generate_unique_id_function
            ),
            strict_content_type=_or_default(route.strict_content_type, router.strict_content_type),
            max_body_size=route.max_body_size if route.max_body_size is not None else router.max_body_size,
            form_limits={**router.form_limits, **route.form_limits} or None,
        )
