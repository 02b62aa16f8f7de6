"""What an optional integration may contribute to the app. `create_app` collects it, then applies it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import params

from ..core.lifecycle import ServiceState
from ..core.middleware.telemetry import RequestObserver


@dataclass
class Wiring:
    state: ServiceState
    """Readiness checks (`state.add_check`) and the shutdown flag."""

    observers: list[RequestObserver] = field(default_factory=list)
    """Called for every request by the telemetry middleware (metrics)."""

    page_policies: dict[str, str] = field(default_factory=dict)
    """Path prefix -> Content-Security-Policy for HTML pages served there (the docs UI)."""

    api_dependencies: list[params.Depends] = field(default_factory=list)
    """Dependencies added to every `/api` route (e.g. the default rate limit)."""

    api_responses: dict[int | str, dict[str, Any]] = field(default_factory=dict)
    """Extra documented responses of every `/api` route (e.g. 429 when rate limiting is on)."""

    cors_exposed_headers: list[str] = field(default_factory=list)
    """Response headers cross-origin browser code may read, beyond the core ones (e.g. `X-RateLimit-Remaining`)."""

    degradation_listeners: list[Callable[[str], None]] = field(default_factory=list)
    """Called with a dependency name (`"redis"`) each time a request is served without it (fail-open)."""

    on_shutdown: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    """Awaited once the server has stopped serving (close connection pools, flush event queues)."""
