"""Per-client rate limiting: GCRA budgets (`core/limits.py`) in memory or Redis, checked per request.

- Every `/api` route gets the default limit (one budget per client across the API), spent by a route guard: a
  client without a token is counted by address at RATE_LIMIT_ANONYMOUS, a token holder by subject at
  RATE_LIMIT_AUTHENTICATED, each RATE_LIMIT_DEFAULT unless set.
- A route declares a stricter limit of its own with `dependencies=[route_limit("30/minute", scope="write")]`.
- Health, metrics and docs are not `/api` routes and are never limited.
"""

from __future__ import annotations

from typing import Any

from fastapi import params
from starlette.middleware import Middleware
from starlette.requests import Request

from ...config import Settings
from ...context import app_context
from ...core.limits import MemoryBuckets, Rate, parse_rate
from ...problems import problem_openapi_responses
from ..base import Wiring
from ..integration import Integration
from .headers import RateLimitHeadersMiddleware
from .limiter import AsyncBucketStore, ClientRateLimiter

__all__ = ["INTEGRATION", "ClientRateLimiter", "RateLimits", "install", "route_limit"]


class RateLimits:
    """The limiters of one app: the storage they share and one `ClientRateLimiter` per declared limit."""

    def __init__(self, storage: AsyncBucketStore, wiring: Wiring, *, enabled: bool, fail_open: bool) -> None:
        self.storage = storage
        self.enabled = enabled
        self.fail_open = fail_open
        self.degradation_listeners = wiring.degradation_listeners
        self._limiters: dict[tuple[Rate, Rate | None, str], ClientRateLimiter] = {}

    def use_storage(self, storage: AsyncBucketStore) -> None:
        """Move every limiter to another storage, starting with full budgets (tests use memory instead of Redis)."""
        self.storage = storage
        for limiter in self._limiters.values():
            limiter.store = storage

    def limiter(self, limit: Rate, scope: str, *, authenticated: Rate | None = None) -> ClientRateLimiter:
        """The limiter of `limit` within `scope` (`authenticated`: token holders' limit there, if different)."""
        limiter = self._limiters.get((limit, authenticated, scope))
        if limiter is None:
            limiter = ClientRateLimiter(
                limit,
                self.storage,
                scope=scope,
                authenticated_rate=authenticated,
                fail_open=self.fail_open,
                on_degraded=self._degraded,
            )
            self._limiters[(limit, authenticated, scope)] = limiter
        return limiter

    def _degraded(self, dependency: str) -> None:
        for listener in self.degradation_listeners:
            listener(dependency)


class RouteLimit:
    """A limit declared on a route; enforced by the app's `RateLimits` (or not at all when they are disabled)."""

    def __init__(self, limit: Rate, scope: str) -> None:
        self.limit = limit
        self.scope = scope

    async def __call__(self, request: Request) -> None:
        limits = app_context(request.app).find(RateLimits)
        if limits is not None and limits.enabled:
            await limits.limiter(self.limit, self.scope)(request)


def route_limit(limit: str, *, scope: str) -> params.Depends:
    """A per-route limit, e.g. `route_limit("30/minute", scope="write")`; counted per client within `scope`.

    Routes sharing a scope share a budget. A bad limit fails at import, not at the first request.
    """
    return params.Depends(RouteLimit(parse_rate(limit), scope))


def too_many_requests_response() -> dict[int | str, dict[str, Any]]:
    """The documented 429 of every /api route, with its headers."""
    response = problem_openapi_responses(429)[429]
    response["headers"] = {
        "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}},
        **_LIMIT_HEADERS,
    }
    return {429: response}


_LIMIT_HEADERS: dict[str, Any] = {
    "X-RateLimit-Limit": {"description": "Requests allowed per window", "schema": {"type": "integer"}},
    "X-RateLimit-Remaining": {"description": "Requests left in the window", "schema": {"type": "integer"}},
    "X-RateLimit-Reset": {
        "description": "Seconds until the full limit is available again",
        "schema": {"type": "integer"},
    },
}


def install(settings: Settings, wiring: Wiring, *, store: AsyncBucketStore | None = None) -> RateLimits:
    """Add the default limit and the 429 docs; budgets live in `store`, else in the budgets every replica shares
    (`Wiring.shared_buckets`: Redis, when the service uses it), else in this process's memory."""
    storage = store or wiring.shared_buckets or MemoryBuckets()
    limits = RateLimits(storage, wiring, enabled=settings.rate_limit_enabled, fail_open=settings.rate_limit_fail_open)
    wiring.provide(limits)
    if not limits.enabled:
        return limits
    default = limits.limiter(
        parse_rate(settings.anonymous_rate_limit),
        "default",
        authenticated=parse_rate(settings.authenticated_rate_limit),
    )
    wiring.api_guards.append(default)  # a guard, not a dependency: it runs on every /api request (route_guards.py)
    wiring.api_responses.update(too_many_requests_response())
    if not limits.fail_open:
        wiring.api_responses.update(problem_openapi_responses(503))
    wiring.inner_middleware.append(Middleware(RateLimitHeadersMiddleware))  # ordered by app.py's middleware_stack
    wiring.cors_exposed_headers.extend(("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"))
    return limits


# After the shared budgets (Redis's), before authentication: the limiter counts a token holder by subject.
INTEGRATION = Integration(order=40, install=install)
