"""`ClientRateLimiter`: spends one request of a client's budget (`core/limits.py`) as a route guard (the default
limit) or a FastAPI dependency (a route's own), leaves the X-RateLimit-* headers for `RateLimitHeadersMiddleware`,
and answers 429 (or, failing closed, 503).

Our own small dependency rather than fastapi-limiter's `RateLimiter`: that one keeps one bucket for every client
(per-client buckets need a pyrate-limiter `BucketFactory`), sends no X-RateLimit-* or Retry-After headers, turns a
Redis fault into a 500, and keys buckets by the concrete path; meeting the contract meant replacing its `__call__`
and reading pyrate-limiter's internals. The GCRA itself is `core/limits.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, Protocol

from starlette.exceptions import HTTPException
from starlette.requests import Request

from ...core.limits import Rate, Verdict, client_identity
from ...core.request_context import SUBJECT_STATE_KEY

SUBJECT_PREFIX: Final = "sub:"
"""Budgets of subjects are keyed `sub:<subject>`: never an address (addresses have no `s`), never `unidentified`."""
HEADERS_SCOPE_KEY: Final = "rate_limit_headers"
"""Where a limiter leaves its verdicts for `RateLimitHeadersMiddleware` (the headers must reach 404s too)."""


class AsyncBucketStore(Protocol):
    """Where budgets live, for callers on the event loop: `core.limits.MemoryBuckets` or Redis's."""

    name: str
    errors: tuple[type[BaseException], ...]

    async def spend_async(self, key: str, rate: Rate) -> Verdict: ...

    def available(self) -> bool: ...

    def record_failure(self, exc: BaseException) -> None: ...

    def record_success(self) -> None: ...


def client_key(request: Request) -> str:
    """Whose budget a request spends: its token's subject when one was verified, else its address."""
    subject = request.scope.get("state", {}).get(SUBJECT_STATE_KEY)
    if subject is not None:
        return f"{SUBJECT_PREFIX}{subject}"
    return client_identity(request.client.host if request.client else None)


class ClientRateLimiter:
    """One limit (`rate`) counted per client within a `scope` (`default`, `write`, ...); token holders get
    `authenticated_rate` instead when one is given (the default limit: RATE_LIMIT_AUTHENTICATED)."""

    def __init__(
        self,
        rate: Rate,
        store: AsyncBucketStore,
        *,
        scope: str,
        authenticated_rate: Rate | None = None,
        fail_open: bool = True,
        on_degraded: Callable[[str], None] | None = None,
    ) -> None:
        self.rate = rate
        self.authenticated_rate = authenticated_rate or rate
        self.store = store
        self.scope = scope
        self.fail_open = fail_open
        self.on_degraded = on_degraded

    async def __call__(self, request: Request) -> None:
        store = self.store
        if not store.available():
            self._degraded()
            return
        client = client_key(request)
        rate = self.authenticated_rate if client.startswith(SUBJECT_PREFIX) else self.rate
        try:
            verdict = await store.spend_async(f"{self.scope}:{client}", rate)
        except store.errors as exc:
            store.record_failure(exc)
            self._degraded()
            return
        store.record_success()
        request.scope.setdefault(HEADERS_SCOPE_KEY, {})[self.scope] = verdict
        if not verdict.allowed:
            seconds = verdict.retry_after_s
            raise HTTPException(
                429,
                f"Too many requests; retry after {seconds} second{'s' if seconds != 1 else ''}",
                headers={"Retry-After": str(seconds)},
            )

    def _degraded(self) -> None:
        """The store failed or is being skipped: serve the request unlimited (fail open), or refuse it."""
        if self.on_degraded is not None:
            self.on_degraded(self.store.name)
        if not self.fail_open:
            raise HTTPException(
                503,
                "Rate limiting is unavailable, so the request was refused; retry shortly",
                headers={"Retry-After": "1"},
            )
