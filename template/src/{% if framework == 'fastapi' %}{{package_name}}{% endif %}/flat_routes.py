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
from typing import Any, Final

from fastapi import APIRouter, FastAPI, params
from fastapi.datastructures import DefaultPlaceholder
from fastapi.routing import APIRoute, APIWebSocketRoute, _update_scope
from fastapi.telemetry._api import _route_selected
from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match, Mount, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send


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


_MAX_FOLDERS: Final = 1024
"""How many request folders (`/api/v1/items/`) `RouteIndex` remembers the candidates of; forgotten all at once past
that, so paths made up by clients cost memory only up to this."""


class RouteIndex:
    """The app's router, matching each HTTP request against the routes that can match its path only.

    FastAPI's router tries each route in turn, one regular expression and two look-ups into the request's scope
    each: the item read, the ninth route, paid for eight that could never match (~70 Python calls). A route's path
    starts with its literal prefix (`/api/v1/items/` of `/api/v1/items/{item_id}`), so a request whose path does not
    begin with it cannot match it. The request's folder (its path up to the last `/`) tells which routes can: those
    whose prefix begins the folder, or continues it without another `/`. Those are tried in the app's order, as FastAPI
    tries them, so the first full match (or else the first with another method: 405) is the route FastAPI would
    pick. A path no route matches, a WebSocket, the lifespan go to FastAPI's router unchanged (404s, its own rules).
    A route kind whose path says nothing of its prefix (a mount, an included router) is tried for every request.
    Routes added later (after `create_app`, in tests) are seen: the index is rebuilt when the router's list changes
    (FastAPI's count of its changes, its length, or another list; as for FastAPI's own low-priority routes, a list
    reordered in place is not seen).
    """

    def __init__(self, router: APIRouter) -> None:
        self._router = router
        self._fallback: ASGIApp = router.app
        self._built_for: tuple[int, int, int] | None = None
        self._prefixes: tuple[tuple[str, bool, BaseRoute], ...] = ()
        self._folders: dict[str, tuple[BaseRoute, ...]] = {}

    def _candidates(self, path: str) -> tuple[BaseRoute, ...]:
        routes = self._router.routes
        # FastAPI counts the changes of the router's own list (an included router's changes are its own: it is
        # tried for every path anyway); the length and the list's identity catch a list changed or replaced directly.
        version = (getattr(self._router, "_routes_version", 0), len(routes), id(routes))
        if version != self._built_for:
            self._prefixes = tuple((*_literal_prefix(route), route) for route in routes)
            self._folders = {}
            self._built_for = version
        folder = path[: path.rfind("/") + 1]
        found = self._folders.get(folder)
        if found is None:
            if len(self._folders) >= _MAX_FOLDERS:
                self._folders = {}
            found = self._folders[folder] = tuple(
                route for prefix, whole, route in self._prefixes if _may_match(folder, prefix, whole=whole)
            )
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._router.form_limits:
            await self._fallback(scope, receive, send)
            return
        if "router" not in scope:
            scope["router"] = self._router
        partial: tuple[BaseRoute, Scope] | None = None
        for route in self._candidates(get_route_path(scope)):
            match, child_scope = route.matches(scope)
            if match == Match.FULL:
                partial = (route, child_scope)
                break
            if match == Match.PARTIAL and partial is None:
                partial = (route, child_scope)
        if partial is None:  # no route: FastAPI's router answers (404, its low-priority routes)
            await self._fallback(scope, receive, send)
            return
        route, child_scope = partial
        _update_scope(scope, child_scope)
        _route_selected(scope=scope, path=getattr(route, "path_format", None), mount=isinstance(route, Mount))
        await route.handle(scope, receive, send)


_PATH_MATCHERS: Final = (APIRoute.matches, APIWebSocketRoute.matches, Route.matches, WebSocketRoute.matches)


def _literal_prefix(route: BaseRoute) -> tuple[str, bool]:
    """What every path `route` matches begins with (the text of its path before the first parameter), and whether
    that is its whole path (it takes no parameter). "" (tried for every path) for a route whose matching is not its
    path's alone: a mount, an included router, a route class that matches its own way."""
    if isinstance(route, Route | WebSocketRoute) and type(route).matches in _PATH_MATCHERS:
        prefix, brace, _ = route.path.partition("{")
        return prefix, not brace
    return "", False


def _may_match(folder: str, prefix: str, *, whole: bool) -> bool:
    """Whether a path in `folder` (its text up to its last `/`, included) may begin with `prefix`, or be it when it
    is a route's `whole` path: the path's last part may be anything without a `/`."""
    if whole:
        return prefix[: prefix.rfind("/") + 1] == folder
    return folder.startswith(prefix) or (prefix.startswith(folder) and "/" not in prefix[len(folder) :])


def index_routes(app: FastAPI) -> FastAPI:
    """`app`, its HTTP requests matched through a `RouteIndex` (unless something wraps the router's own `app`)."""
    router = app.router
    if router.middleware_stack == router.app:
        router.middleware_stack = RouteIndex(router)
    return app
