"""Steps every `/api` request takes once its route is matched, before FastAPI solves the route's dependencies.

Integrations contribute them (`Wiring.api_guards`): identify the caller by its bearer token, spend the default rate
limit, refuse a request without a valid token. A guard is `async def guard(request) -> None` and refuses by raising
(`InvalidToken`, `HTTPException(429)`, ...): the app's exception handlers turn that into a problem response.

Why not router-wide `dependencies=[Depends(...)]`: FastAPI solves each dependency of each request for about 10 µs,
and these run on every `/api` request; a guard costs a function call. `/api` routers are
created with `route_class=ApiRoute` (`api_router(...)` does it) and `create_app` refuses to include a route that is
not one, so no route can skip them. Your routes keep using typed dependencies (`api/dependencies.py`,
`requires(...)`, `route_limit(...)`) for what is theirs: those run after the guards.

Fail closed: every `/api` route declares who may call it (`api/access.py`: `requires(...)` or `public`), and
`require_declared_access` refuses to start the service otherwise, whatever router the route came from. So does
every WebSocket route, whatever its path (`@router.websocket(path, dependencies=[requires(...)])`): the WebSocket
gate (core/websockets.py) admits a connection only to a route in `WebSocketRoutes`, with what that route declares.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Iterator, Sequence
from typing import Any, Final

from fastapi import APIRouter, Depends
from fastapi import routing as fastapi_routing
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, APIWebSocketRoute, RouteContext, iter_route_contexts
from fastapi.security import SecurityScopes
from fastapi.security.base import SecurityBase
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, WebSocketRoute

from .api.paths import API_PREFIX
from .core.asgi_types import Scope
from .core.websockets import SocketAccess
from .openapi import DescribedRouter
from .route_plans import plan_route

RouteGuard = Callable[[Request], Awaitable[None]]
GUARDS_STATE_KEY = "api_guards"
"""Where `create_app` keeps the app's guards (`app.state.api_guards`), in the order they run."""


_DECLARES_ACCESS: Final = "__declares_access__"


def declares_access(call: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """Mark a dependency as a declaration of who may call a route (`api/access.py`). Security schemes (the bearer
    token's) are declarations already."""
    setattr(call, _DECLARES_ACCESS, True)
    return call


@declares_access
async def _anyone() -> None:
    """Declares a route open to anyone: `dependencies=[public]`."""


public = Depends(_anyone)
"""`dependencies=[public]`: the route is open to anyone, without a token (the authentication guard lets it by)."""


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for dependency in dependant.dependencies:
        yield from _dependants(dependency)


def _api_routes(routes: Iterable[BaseRoute]) -> Iterator[tuple[str, APIRoute, Dependant]]:
    """Each route (those of included routers too) with its full path and its dependencies as included."""
    for context in iter_route_contexts(list(routes)):
        route = context.original_route
        if isinstance(route, APIRoute):
            dependant = getattr(context, "dependant", None) or route.dependant
            yield context.path or route.path, route, dependant


def declared_scopes(dependant: Dependant) -> frozenset[str] | None:
    """The scopes a route declares (empty for `public` or any valid token), or None when it declares nothing."""
    declared: frozenset[str] | None = None
    for dependency in _dependants(dependant):
        if isinstance(dependency.call, SecurityBase) or getattr(dependency.call, _DECLARES_ACCESS, False):
            declared = (declared or frozenset()) | frozenset(dependency.own_oauth_scopes or ())
    return declared


_WIDENING_SCOPES: Final = "__widening_scopes__"


def widens_access(call: Callable[..., Any], *scopes: str) -> None:
    """Mark a dependency as taking scopes that widen what a route acts on without being required to call it (a
    resource's admin scope: `api/repositories.py`). They count among the scopes the service declares."""
    setattr(call, _WIDENING_SCOPES, (*getattr(call, _WIDENING_SCOPES, ()), *scopes))


def widening_scopes(dependant: Dependant) -> frozenset[str]:
    """The scopes a route's dependencies take to widen what it acts on (`widens_access`)."""
    return frozenset().union(*(getattr(dependency.call, _WIDENING_SCOPES, ()) for dependency in _dependants(dependant)))


ADMIN_SCOPE_SUFFIX: Final = ":admin"
"""A scope named `<resource>:admin` acts on every account or record of its resource: an account holds it only when
given it (`users create --admin`), never by default."""


def admin_scopes(scopes: Iterable[str]) -> frozenset[str]:
    return frozenset(scope for scope in scopes if scope.endswith(ADMIN_SCOPE_SUFFIX))


def is_public(route: APIRoute) -> bool:
    return _declares_public(route.dependant)


def _declares_public(dependant: Dependant) -> bool:
    return any(dependency.call is _anyone for dependency in _dependants(dependant))


def _websocket_routes(routes: Iterable[BaseRoute]) -> Iterator[tuple[str, RouteContext]]:
    """Each WebSocket route (those of included routers too) with its full path, as the app serves it."""
    for context in iter_route_contexts(list(routes)):
        if isinstance(context.original_route, WebSocketRoute):
            yield context.path or context.original_route.path, context


def scopes_of(routes: Iterable[BaseRoute]) -> frozenset[str]:
    """Every scope the routes declare, those that widen what a route acts on too (a resource's admin scope)."""
    return frozenset().union(
        *(
            (declared_scopes(dependant) or frozenset()) | widening_scopes(dependant)
            for _, _, dependant in _api_routes(routes)
        )
    )


class UndeclaredAccessError(TypeError):
    """An `/api` route that skips the guards or declares no access: the service refuses to start with it."""


def require_declared_access(routes: Iterable[BaseRoute]) -> None:
    """Refuse to start with an `/api` route that skips the guards or declares neither its scopes nor that it is
    public: such a route would be open, or guarded by no one's idea of its scopes, without anyone deciding so."""
    for path, route, dependant in _api_routes(routes):
        if not path.startswith(API_PREFIX):
            continue
        where = f"{sorted(route.methods or ())} {path} ({route.name})"
        if not isinstance(route, ApiRoute):
            raise UndeclaredAccessError(
                f"{where}: an /api route must be an ApiRoute, or it would skip authentication and the default rate "
                "limit: create its router with `api_router(...)` (route_guards.py)"
            )
        if declared_scopes(dependant) is None:
            raise UndeclaredAccessError(
                f'{where} declares no access: add `dependencies=[requires("<resource>:read")]` (its scopes) or '
                "`dependencies=[public]` (anyone), from api/access.py"
            )
    for path, context in _websocket_routes(routes):
        where = f"WebSocket {path} ({context.name})"
        if not isinstance(context.original_route, APIWebSocketRoute):
            raise UndeclaredAccessError(
                f"{where}: a Starlette WebSocketRoute cannot declare who may connect: use "
                "`@router.websocket(path, dependencies=[...])`"
            )
        if declared_scopes(context.dependant) is None:
            raise UndeclaredAccessError(
                f'{where} declares no access: add `dependencies=[requires("<resource>:read")]` (its scopes) or '
                "`dependencies=[public]` (anyone), from api/access.py"
            )


class WebSocketRoutes:
    """The app's WebSocket routes and what each declares, for the WebSocket gate (`RouteLookup`). Loaded at startup,
    after `require_declared_access`: until then, and for a route added later, every connection is refused."""

    def __init__(self) -> None:
        self._routes: tuple[tuple[RouteContext, SocketAccess], ...] = ()

    def load(self, routes: Iterable[BaseRoute]) -> None:
        self._routes = tuple(
            (context, _socket_access(path, context.dependant)) for path, context in _websocket_routes(routes)
        )

    def __call__(self, scope: Scope) -> SocketAccess | None:
        for context, access in self._routes:
            match, _ = context.matches(scope)
            if match is Match.FULL:
                return access
        return None


def _socket_access(path: str, dependant: Dependant) -> SocketAccess:
    scopes = declared_scopes(dependant) or frozenset()
    return SocketAccess(route=path, scopes=scopes, public=_declares_public(dependant))


DirectCall = Callable[[Request], Awaitable[Any]]


def _is_direct(dependency: Dependant) -> bool:
    """A dependency FastAPI need not solve per request: declared in `dependencies=[...]` (its value unused), a
    coroutine taking only the request (or connection) and its security scopes, nothing else to solve or close."""
    call = dependency.call
    return (
        call is not None
        and dependency.name is None
        and not dependency.dependencies
        and not any(
            (dependency.path_params, dependency.query_params, dependency.header_params, dependency.cookie_params)
        )
        and not dependency.body_params
        and dependency.websocket_param_name is None
        and dependency.response_param_name is None
        and dependency.background_tasks_param_name is None
        and dependency.scope is None
        and dependency.concurrency is None
        and (inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(type(call).__call__))
    )


def _direct_call(dependency: Dependant) -> DirectCall:
    """`dependency` called as FastAPI calls it, its arguments fixed once: the request, and its scopes (as FastAPI
    gives them: the parents' first, then its own)."""
    call: Callable[..., Awaitable[Any]] = dependency.call  # type: ignore[assignment]
    scopes = list(dependency.parent_oauth_scopes or [])
    scopes += [scope for scope in dependency.own_oauth_scopes or [] if scope not in scopes]
    fixed: dict[str, Any] = {}
    if dependency.security_scopes_param_name:
        fixed[dependency.security_scopes_param_name] = SecurityScopes(scopes=scopes)
    names = [name for name in (dependency.request_param_name, dependency.http_connection_param_name) if name]

    async def direct(request: Request) -> Any:
        return await call(**fixed, **dict.fromkeys(names, request))

    return direct


def split_direct(dependant: Dependant) -> tuple[tuple[DirectCall, ...], Dependant]:
    """The route's leading direct dependencies (`_is_direct`: its scopes, its limits, `public`) as plain calls, and
    the dependant FastAPI solves for the rest. Only the leading ones, so they still run first and in order; none whose
    callable appears elsewhere in the route (FastAPI would call it once for both)."""
    counts: dict[int, int] = {}
    for dependency in _dependants(dependant):
        counts[id(dependency.call)] = counts.get(id(dependency.call), 0) + 1
    leading = 0
    for dependency in dependant.dependencies:
        if not _is_direct(dependency) or counts[id(dependency.call)] > 1:
            break
        leading += 1
    if not leading:
        return (), dependant
    calls = tuple(_direct_call(dependency) for dependency in dependant.dependencies[:leading])
    return calls, dataclasses.replace(dependant, dependencies=dependant.dependencies[leading:])


class ApiRoute(APIRoute):
    """A route whose requests pass the app's guards before anything else of the route runs.

    Its fixed dependencies (`split_direct`: `requires(...)`, `route_limit(...)`, `public`) are resolved once, when
    the route is built, and called directly on each request: FastAPI's solving costs ~50 Python calls for each
    dependency, more than the check itself. The rest is solved by a plan also made once (route_plans.py), unless the
    route takes a body or a dependency the plan does not run as FastAPI would. The OpenAPI document still reads
    them from `dependant` (security entries, scopes). While `app.dependency_overrides` holds anything, FastAPI solves
    every dependency itself, so an override reaches them as usual (`tests/test_flat_routes.py` compares both
    ways)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.public = is_public(self)
        """Declared open to anyone: the authentication guard lets its requests by."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        solve_all = super().get_route_handler()
        direct_calls, rest = split_direct(self.dependant)
        # FastAPI solves everything for a route with a body (it reads the body first: a malformed one is a 422
        # before any dependency runs), for one built for an `include_router` inclusion (FastAPI's route context,
        # with the inclusion's own dependencies).
        if self.body_field is not None or _included_route_context():
            direct_calls = ()
            handle_rest = solve_all
        else:
            # The rest by plan (route_plans.py: solved as FastAPI solves it, analysed once), else by FastAPI.
            handle_rest = plan_route(self, rest) or self._solved_by_fastapi(rest)
        overrides = self.dependency_overrides_provider

        async def guarded(request: Request) -> Response:
            guards: Sequence[RouteGuard] = getattr(request.app.state, GUARDS_STATE_KEY, ())
            for guard in guards:
                await guard(request)
            if overrides is not None and overrides.dependency_overrides:
                return await solve_all(request)
            for call in direct_calls:
                await call(request)
            return await handle_rest(request)

        return guarded

    def _solved_by_fastapi(self, dependant: Dependant) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        whole, self.dependant = self.dependant, dependant
        try:
            return super().get_route_handler()
        finally:
            self.dependant = whole


def _included_route_context() -> bool:
    """Whether FastAPI is building this route's handler for an `include_router` inclusion (its private context)."""
    context = getattr(fastapi_routing, "_effective_route_context_var", None)
    return context is None or context.get() is not None


def api_router(*, description: str | None = None, **options: Any) -> APIRouter:
    """An `APIRouter` for `/api` routes; given a `description`, the OpenAPI document describes its tag with it:
    `api_router(prefix=f"{API_V1}/orders", tags=["orders"], description="Orders: ...")`."""
    if description is None:
        return APIRouter(route_class=ApiRoute, **options)
    return DescribedRouter(description=description, route_class=ApiRoute, **options)
