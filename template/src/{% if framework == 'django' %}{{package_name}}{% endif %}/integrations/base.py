"""What the optional integrations contribute to the service, as named, typed fields.

`integrations.wiring()` builds it once per process from the settings; the ASGI layers (asgi.py) and the views
(health, metrics, throttling) read it from there. Integrations never import the views: `api/` imports from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..core.limits import BucketStore
from ..core.wiring import ServiceWiring


class MetricsExposition(Protocol):
    """What `/metrics` serves: the body and its content type for the scraper's Accept header."""

    def render(self, accept: str) -> tuple[bytes, str]: ...


@dataclass
class Wiring(ServiceWiring):
    """`ServiceWiring` (readiness, observers, page policies, CORS headers, degradation, shutdown) plus Django's."""

    rate_limit_store: BucketStore | None = None
    """Where the throttles keep their budgets (process memory, or Redis); None without rate limiting."""

    metrics_exposition: MetricsExposition | None = None
    """What `/metrics` serves; None without Prometheus."""
