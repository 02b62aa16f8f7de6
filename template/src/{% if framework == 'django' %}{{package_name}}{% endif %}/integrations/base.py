"""What the optional integrations contribute to the service, as named, typed fields.

`integrations.wiring()` builds it once per process from the settings; the ASGI layers (asgi.py) and the views
(health, metrics, throttling) read it from there. Integrations never import the views: `api/` imports from here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from ..core.lifecycle import ServiceState
from ..core.limits import BucketStore
from ..core.middleware.telemetry import RequestObserver


class MetricsExposition(Protocol):
    """What `/metrics` serves: the body and its content type for the scraper's Accept header."""

    def render(self, accept: str) -> tuple[bytes, str]: ...


@dataclass
class Wiring:
    state: ServiceState
    """Readiness checks (`state.add_check`) and the shutdown flag."""

    observers: list[RequestObserver] = field(default_factory=list)
    """Called for every request by the telemetry middleware (metrics)."""

    page_policies: dict[str, str] = field(default_factory=dict)
    """Path prefix -> Content-Security-Policy of the HTML pages served there (the docs UI, the admin)."""

    cors_exposed_headers: list[str] = field(default_factory=list)
    """Response headers cross-origin browser code may read, beyond the core ones (e.g. `X-RateLimit-Remaining`)."""

    degradation_listeners: list[Callable[[str], None]] = field(default_factory=list)
    """Called with a dependency name (`"redis"`) each time a request is served without it (fail-open)."""

    on_shutdown: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    """Awaited once the server has stopped serving (close connection pools, flush event queues)."""

    rate_limit_store: BucketStore | None = None
    """Where the throttles keep their budgets (process memory, or Redis); None without rate limiting."""

    metrics_exposition: MetricsExposition | None = None
    """What `/metrics` serves; None without Prometheus."""
