"""Rate limits: the text form (`100/minute`), who the client is, and the GCRA decision, kept in process memory
here (or in Redis, when the service uses it). The web framework's glue asks `spend`.

One rule for the text form everywhere (settings and per-route limits): `<count>/<unit>`, case and surrounding spaces
ignored, the unit singular or plural (`100/minute`, `100/Minutes`, `5 / second`).
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Protocol

PERIODS_S: Final = {"second": 1, "minute": 60, "hour": 3600, "day": 86_400}

MAX_KEYS: Final = 50_000
"""Budgets kept in memory at most; the least recently used go first (a flood of new addresses cannot exhaust RAM)."""

RATE_SYNTAX: Final = "<count>/<unit> with a positive count and a unit of second, minute, hour or day (e.g. 100/minute)"

FASTEST_RATE: Final = "one request per microsecond (1000000/second, 60000000/minute)"
"""The GCRA counts in whole microseconds: a faster rate would round its emission interval to zero."""

UNIDENTIFIED: Final = "unidentified"
"""The one identity shared by every client whose address is not an IP address (see `client_identity`)."""

_LONGEST_ADDRESS: Final = 45  # characters of the longest textual IPv6 address (with an embedded IPv4 one)


class UncountableRateError(ValueError):
    """A well-formed rate the limiter cannot count (faster than `FASTEST_RATE`): refused where it is declared."""


@dataclass(frozen=True)
class Rate:
    """`count` requests per `period_s` seconds, with bursts of up to `count` (GCRA, a leaky bucket)."""

    count: int
    period_s: int

    def __post_init__(self) -> None:
        if self.count < 1 or self.count > self.period_s * 1_000_000:
            raise UncountableRateError(f"{self.count} per {self.period_s} s cannot be limited: at most {FASTEST_RATE}")

    @property
    def emission_us(self) -> int:
        """One request's share of the period: the bucket regains one request every this many microseconds."""
        return self.period_s * 1_000_000 // self.count

    def __str__(self) -> str:
        unit = next(name for name, seconds in PERIODS_S.items() if seconds == self.period_s)
        return f"{self.count}/{unit}"


def parse_rate(text: str) -> Rate:
    """`100/minute` (also `100/Minutes`, `5/second`, `1000/hour`, `10000/day`) -> Rate; ValueError otherwise
    (`UncountableRateError` for a well-formed rate faster than the limiter counts)."""
    count, _, unit = text.strip().lower().partition("/")
    count, unit = count.strip(), unit.strip().removesuffix("s")
    if not count.isdigit() or int(count) < 1 or unit not in PERIODS_S:
        raise ValueError(f"{text[:40]!r} is not a rate limit: write {RATE_SYNTAX}")
    return Rate(int(count), PERIODS_S[unit])


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_s: int
    retry_after_s: int

    def headers(self) -> list[tuple[bytes, bytes]]:
        """The X-RateLimit-* headers of this verdict, as ASGI sends them."""
        return [
            (b"x-ratelimit-limit", str(self.limit).encode()),
            (b"x-ratelimit-remaining", str(self.remaining).encode()),
            (b"x-ratelimit-reset", str(self.reset_s).encode()),
        ]


def verdict(rate: Rate, *, allowed: bool, owed_us: int, retry_us: int) -> Verdict:
    """A GCRA answer as headers see it. `owed_us`: how far the budget is from full (its theoretical arrival time
    minus now); `retry_us`: when a refused request would be accepted."""
    owed_us = max(0, owed_us)
    remaining = max(0, rate.count - math.ceil(owed_us / rate.emission_us)) if allowed else 0
    return Verdict(
        allowed=allowed,
        limit=rate.count,
        remaining=remaining,
        reset_s=math.ceil(owed_us / 1_000_000),
        retry_after_s=max(1, math.ceil(retry_us / 1_000_000)),
    )


def tightest(verdicts: dict[str, Verdict]) -> Verdict:
    """The verdict the headers describe when several limits applied (the default and a route's own)."""
    return min(verdicts.values(), key=lambda checked: (checked.remaining, -checked.reset_s))


def client_identity(host: str | None) -> str:
    """The rate-limit identity of a client: its IP address as the server resolved it (the ASGI scope's `client`,
    X-Forwarded-For counted only from FORWARDED_ALLOW_IPS peers), normalised.

    The server hands over whatever a trusted proxy chain left in X-Forwarded-For, addresses or not. A value that is
    not an IP address never becomes an identity of its own (a client could otherwise pick a fresh one per request,
    or make keys as long as its headers): all such clients share one budget, `UNIDENTIFIED`.
    """
    if not host or len(host) > _LONGEST_ADDRESS:
        return UNIDENTIFIED  # checked before the cache, so that the cache never keeps a long value
    return _normalised_address(host)


@lru_cache(maxsize=4096)
def _normalised_address(host: str) -> str:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return UNIDENTIFIED


class BucketStore(Protocol):
    """Where budgets live, for synchronous callers (code in threads). `errors` are what a remote store raises."""

    name: str
    errors: tuple[type[BaseException], ...]

    def spend(self, key: str, rate: Rate) -> Verdict: ...

    def available(self) -> bool: ...

    def record_failure(self, exc: BaseException) -> None: ...

    def record_success(self) -> None: ...


class MemoryBuckets:
    """Budgets in this process: exact for one process, per process when several run (use Redis to share them).

    Thread-safe (sync views run in threads) and bounded: at most `max_keys` budgets, least recently used dropped.
    """

    name = "memory"
    errors: tuple[type[BaseException], ...] = ()

    def __init__(self, max_keys: int = MAX_KEYS) -> None:
        self.max_keys = max_keys
        self._arrivals: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()

    def spend(self, key: str, rate: Rate) -> Verdict:
        now = time.monotonic_ns() // 1000
        burst_us = rate.emission_us * rate.count
        with self._lock:
            arrival = max(self._arrivals.pop(key, 0), now)
            next_arrival = arrival + rate.emission_us
            allowed = next_arrival - now <= burst_us
            self._arrivals[key] = next_arrival if allowed else arrival
            if len(self._arrivals) > self.max_keys:
                self._arrivals.popitem(last=False)
        if allowed:
            return verdict(rate, allowed=True, owed_us=next_arrival - now, retry_us=0)
        return verdict(rate, allowed=False, owed_us=arrival - now, retry_us=next_arrival - burst_us - now)

    async def spend_async(self, key: str, rate: Rate) -> Verdict:
        return self.spend(key, rate)

    def __len__(self) -> int:
        return len(self._arrivals)

    def available(self) -> bool:
        return True

    def record_failure(self, exc: BaseException) -> None:
        return None

    def record_success(self) -> None:
        return None
