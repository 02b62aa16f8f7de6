"""Limits written as text (`100/minute`), as in `RATE_LIMIT_DEFAULT` and in per-route declarations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from pyrate_limiter import Duration, Rate

UNITS: Final = {
    "second": Duration.SECOND,
    "minute": Duration.MINUTE,
    "hour": Duration.HOUR,
    "day": Duration.DAY,
}


@dataclass(frozen=True)
class Limit:
    """`count` requests per `unit`, with bursts of up to `count` (a leaky bucket, GCRA)."""

    count: int
    unit: str

    @property
    def text(self) -> str:
        return f"{self.count}/{self.unit}"

    @property
    def window_s(self) -> int:
        return int(UNITS[self.unit]) // 1000

    def rate(self) -> Rate:
        return Rate(self.count, UNITS[self.unit])


def parse_limit(text: str) -> Limit:
    """`100/minute` (also `100/minutes`, `5/second`, `1000/hour`, `10000/day`) → Limit; ValueError otherwise."""
    count, _, unit = text.strip().lower().partition("/")
    unit = unit.strip().removesuffix("s")
    if not count.strip().isdigit() or int(count) < 1 or unit not in UNITS:
        raise ValueError(
            f"{text!r} is not a rate limit: write <count>/<unit> with a positive count and a unit of "
            "second, minute, hour or day (e.g. 100/minute)"
        )
    return Limit(int(count), unit)
