"""Views' own rate limits (`RouteLimit`); the limit text, the GCRA and its answers are `core/limits.py`
(free of DRF: importable before Django is configured)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .core.limits import Rate, Verdict, parse_rate, verdict

__all__ = ["WRITE_METHODS", "Rate", "RouteLimit", "Verdict", "parse_rate", "verdict"]

WRITE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})


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
