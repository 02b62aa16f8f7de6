"""What the optional integrations contribute to the app, as named, typed fields. An integration only adds to the
`Wiring` (`integration.py`); `create_app` applies it: routes, exception handlers, layers, start and stop hooks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from fastapi import APIRouter, params
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from ..context import ReadRouting
from ..core.limits import Rate, Verdict
from ..core.wiring import ServiceWiring
from ..route_guards import RouteGuard


class SharedBuckets(Protocol):
    """Budgets every replica shares (Redis's buckets), for callers on the event loop: the rate limiter's and the
    login limits' store when the service has one."""

    name: str
    errors: tuple[type[BaseException], ...]

    async def spend_async(self, key: str, rate: Rate) -> Verdict: ...

    def available(self) -> bool: ...

    def record_failure(self, exc: BaseException) -> None: ...

    def record_success(self) -> None: ...


@dataclass
class Wiring(ServiceWiring):
    """`ServiceWiring` (readiness, observers, page policies, CORS headers, degradation, shutdown) plus FastAPI's."""

    api_guards: list[RouteGuard] = field(default_factory=list)
    """Steps every `/api` request takes, in order, before the route's dependencies (`route_guards.py`): e.g.
    identify the caller, spend the default rate limit, refuse a request without a valid token."""

    api_dependencies: list[params.Depends] = field(default_factory=list)
    """Dependencies added to every `/api` route, solved by FastAPI after the guards (the route's own come last)."""

    api_security: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Security schemes every `/api` operation requires in the OpenAPI document (name: scheme), so the docs UI sends
    credentials even to operations that name no scopes (e.g. bearer tokens, enforced by a guard)."""

    api_responses: dict[int | str, dict[str, Any]] = field(default_factory=dict)
    """Extra documented responses of every `/api` route (e.g. 429 when rate limiting is on)."""

    api_routers: list[APIRouter] = field(default_factory=list)
    """Extra `/api` routers, included like the service's own (with `api_dependencies`). Like a resource's, each
    carries its full path (`api_router(prefix=f"{API_V1}/auth")`): FastAPI matches the router's own route objects,
    so their path is what the access log and the `route` metric label show."""

    inner_middleware: list[Middleware] = field(default_factory=list)
    """ASGI layers an integration adds inside the service's own, outermost first (e.g. the rate-limit headers):
    `app.middleware_stack` places them; an integration never calls `app.add_middleware` itself."""

    engine: AsyncEngine | None = None
    """The database engine `create_app` built, for integrations that observe its statements (metrics)."""

    shared_buckets: SharedBuckets | None = None
    """Where the rate limits and the login limits keep their budgets when every replica shares them (Redis); None
    keeps them in this process's memory."""

    routers: list[APIRouter] = field(default_factory=list)
    """Routes outside `/api` (the docs pages, `/metrics`), included as they are, before the service's own."""

    exception_handlers: dict[type[Exception], Callable[[Request, Any], Awaitable[Response]]] = field(
        default_factory=dict
    )
    """How the app answers an exception an integration's code raises (e.g. `InvalidToken`: a 401 problem)."""

    read_routing: ReadRouting | None = None
    """Where some GET and HEAD requests read instead of the primary (a read replica): `AppContext.read_routing`."""
