"""Steps every `/api` request takes once its route is matched, before FastAPI solves the route's dependencies.

Integrations contribute them (`Wiring.api_guards`): identify the caller by its bearer token, spend the default rate
limit, refuse a request without a valid token. A guard is `async def guard(request) -> None` and refuses by raising
(`InvalidToken`, `HTTPException(429)`, ...): the app's exception handlers turn that into a problem response.

Why not router-wide `dependencies=[Depends(...)]`: FastAPI solves each dependency of each request for about 10 µs
(docs/performance.md), and these run on every `/api` request; a guard costs a function call. `/api` routers are
created with `route_class=ApiRoute` (`api_router(...)` does it) and `create_app` refuses to include a route that is
not one, so no route can skip them. Your routes keep using typed dependencies (`api/dependencies.py`,
`requires(...)`, `route_limit(...)`) for what is theirs: those run after the guards.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

RouteGuard = Callable[[Request], Awaitable[None]]
GUARDS_STATE_KEY = "api_guards"
"""Where `create_app` keeps the app's guards (`app.state.api_guards`), in the order they run."""


class ApiRoute(APIRoute):
    """A route whose requests pass the app's guards before anything else of the route runs."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            guards: Sequence[RouteGuard] = getattr(request.app.state, GUARDS_STATE_KEY, ())
            for guard in guards:
                await guard(request)
            return await handle(request)

        return guarded


def api_router(**options: Any) -> APIRouter:
    """An `APIRouter` for `/api` routes: `api_router(prefix=f"{API_V1}/orders", tags=["orders"])`."""
    return APIRouter(route_class=ApiRoute, **options)


def require_guarded(routers: Iterable[APIRouter]) -> None:
    """Refuse, at start, an `/api` route that would skip the guards (authentication, the default rate limit)."""
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute) and not isinstance(route, ApiRoute):
                raise TypeError(
                    f"{route.path}: an /api route must be an ApiRoute, or it would skip authentication and the "
                    "default rate limit: create its router with `api_router(...)` (route_guards.py)"
                )
