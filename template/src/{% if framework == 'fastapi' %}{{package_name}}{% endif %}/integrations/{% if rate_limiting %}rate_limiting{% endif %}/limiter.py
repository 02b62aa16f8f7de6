"""`ClientRateLimiter`: fastapi-limiter's `RateLimiter` made per client, with headers, a problem+json 429 and
fail-open storage faults."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from inspect import isawaitable
from typing import Final

from fastapi_limiter.depends import RateLimiter
from pyrate_limiter import Decision, Limiter
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from .rates import Limit
from .storage import ClientBuckets, Storage

HEADERS_SCOPE_KEY: Final = "rate_limit_headers"
"""Where a limiter leaves its X-RateLimit-* headers for `RateLimitHeadersMiddleware` (they must reach 404s too)."""


async def client_address(request: Request) -> str:
    """The peer address as uvicorn resolved it: X-Forwarded-For counts only from FORWARDED_ALLOW_IPS peers.

    fastapi-limiter's default identifier trusts the left-most X-Forwarded-For from anyone, so any client could
    pick a fresh identity per request; never parse that header here.
    """
    return request.client.host if request.client else "unknown"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_s: int
    retry_after_s: int

    def headers(self) -> list[tuple[bytes, bytes]]:
        return [
            (b"x-ratelimit-limit", str(self.limit).encode()),
            (b"x-ratelimit-remaining", str(self.remaining).encode()),
            (b"x-ratelimit-reset", str(self.reset_s).encode()),
        ]


async def too_many_requests(request: Request, response: Response, verdict: Verdict) -> None:
    """The callback on a denied request: a 429 problem+json (rendered by the service's problem handlers)."""
    seconds = verdict.retry_after_s
    raise HTTPException(
        429,
        f"Too many requests; retry after {seconds} second{'s' if seconds != 1 else ''}",
        headers={"Retry-After": str(seconds)},
    )


class ClientRateLimiter(RateLimiter):
    """One limit (`limit`) counted per client within a `scope` (`default`, `write`, ...).

    fastapi-limiter 0.2.0's `RateLimiter.__call__` walks `request.app.routes` expecting every entry to have a
    `path`; FastAPI >= 0.165 keeps included routers there as `_IncludedRouter` objects, so it crashes. It also keys
    buckets by the concrete path (one bucket per item id). This override keys by scope and client address only.
    """

    def __init__(
        self,
        limit: Limit,
        storage: Storage,
        *,
        scope: str,
        fail_open: bool = True,
        on_degraded: Callable[[str], None] | None = None,
    ) -> None:
        self.buckets = ClientBuckets(limit, storage)
        super().__init__(limiter=Limiter(self.buckets), identifier=client_address, callback=too_many_requests)
        self.limit = limit
        self.storage = storage
        self.scope = scope
        self.fail_open = fail_open
        self.on_degraded = on_degraded

    def use_storage(self, storage: Storage) -> None:
        self.storage = storage
        self.buckets = ClientBuckets(self.limit, storage)
        self.limiter = Limiter(self.buckets)

    async def __call__(self, request: Request, response: Response) -> None:
        key = f"{self.scope}:{await self.identifier(request)}"
        if not self.storage.available():
            self._degraded()
            return
        try:
            verdict = await self.check(key)
        except self.storage.errors as exc:
            self.storage.record_failure(exc)
            self._degraded()
            return
        self.storage.record_success()
        request.scope.setdefault(HEADERS_SCOPE_KEY, {})[self.scope] = verdict
        if not verdict.allowed:
            await self.callback(request, response, verdict)

    async def check(self, key: str) -> Verdict:
        """Spend one unit of `key`'s bucket (atomically, in the store), then read what is left for the headers.

        The bucket is used directly rather than through `pyrate_limiter.Limiter.try_acquire_async`: that holds one
        process-wide lock around every acquisition, serialising all clients behind each Redis round trip.
        """
        bucket = self.buckets.get_bucket(key)
        now = bucket.store.default_clock.now()  # monotonic in memory, wall clock for Redis (shared by hosts)
        assert isinstance(now, int)  # noqa: S101 - both clocks used here are synchronous
        decision = bucket.store.check(bucket.algorithm, bucket.rates, now, 1)
        if isawaitable(decision):
            decision = await decision
        assert isinstance(decision, Decision)  # noqa: S101 - narrows the store's Union return type
        state = bucket.store.read(bucket.algorithm, bucket.rates)
        if isawaitable(state):
            state = await state
        owed_us = max(0, int(state[0]) - now * 1000)  # GCRA: the bucket is empty again at its TAT
        emission_us = self.limit.window_s * 1_000_000 / self.limit.count
        remaining = 0 if not decision.allowed else max(0, self.limit.count - math.ceil(owed_us / emission_us))
        retry_after_ms = decision.retry_after_ms or 0
        return Verdict(
            allowed=decision.allowed,
            limit=self.limit.count,
            remaining=remaining,
            reset_s=math.ceil(owed_us / 1_000_000),
            retry_after_s=max(1, math.ceil(retry_after_ms / 1000)),
        )

    def _degraded(self) -> None:
        """The store failed or is being skipped: serve the request unlimited (fail open), or refuse it."""
        if self.on_degraded is not None:
            self.on_degraded(self.storage.name)
        if not self.fail_open:
            raise HTTPException(
                503,
                "Rate limiting is unavailable, so the request was refused; retry shortly",
                headers={"Retry-After": "1"},
            )
