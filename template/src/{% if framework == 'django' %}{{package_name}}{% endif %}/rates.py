"""Rate limits written as text (`100/minute`), as in `RATE_LIMIT_DEFAULT` and in the views' own limits, and the
GCRA answers the budget stores give (free of DRF: importable before Django is configured)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

PERIODS_S: Final = {"second": 1, "minute": 60, "hour": 3600, "day": 86_400}
WRITE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Rate:
    """`count` requests per `period_s` seconds, with bursts of up to `count` (GCRA, a leaky bucket)."""

    count: int
    period_s: int

    @property
    def emission_us(self) -> int:
        """One request's share of the period: the bucket regains one request every this many microseconds."""
        return self.period_s * 1_000_000 // self.count


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_s: int
    retry_after_s: int


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


def parse_rate(text: str) -> Rate:
    """`100/minute` (also `100/minutes`, `5/second`, `1000/hour`, `10000/day`) -> Rate; ValueError otherwise."""
    count, _, unit = text.strip().lower().partition("/")
    unit = unit.strip().removesuffix("s")
    if not count.strip().isdigit() or int(count) < 1 or unit not in PERIODS_S:
        raise ValueError(
            f"{text!r} is not a rate limit: write <count>/<unit> with a positive count and a unit of "
            "second, minute, hour or day (e.g. 100/minute)"
        )
    return Rate(int(count), PERIODS_S[unit])


@dataclass(frozen=True)
class RouteLimit:
    """A view's own limit, enforced on top of `RATE_LIMIT_DEFAULT` and counted per client within `scope`.

    Views sharing a scope share one budget per client. `methods` restricts it (e.g. to writes); None: every method.
    A malformed rate fails at import, not at the first request.
    """

    rate: str
    scope: str
    methods: frozenset[str] | None = None

    def __post_init__(self) -> None:
        parse_rate(self.rate)

    def applies_to(self, method: str) -> bool:
        return self.methods is None or method.upper() in self.methods
