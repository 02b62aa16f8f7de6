"""What an optional integration may contribute to the app. `create_app` collects it, then applies it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.lifecycle import ServiceState
from ..core.middleware.telemetry import RequestObserver

if TYPE_CHECKING:
    from django.urls import URLPattern


@dataclass
class Wiring:
    state: ServiceState
    """Readiness checks (`state.add_check`) and the shutdown flag."""

    observers: list[RequestObserver] = field(default_factory=list)
    """Called for every request by the telemetry middleware (metrics)."""

    page_policies: dict[str, str] = field(default_factory=dict)
    """Path prefix -> Content-Security-Policy for HTML pages served there (the docs UI)."""

    urlpatterns: list[URLPattern] = field(default_factory=list)
    """Routes an integration serves outside `/api` (`/metrics`, the docs page): never rate limited, never in the
    OpenAPI document. Build them once, at import, so that every app of the process shares one cached urlconf."""

    api_throttles: list[type[Any]] = field(default_factory=list)
    """DRF throttle classes applied to every `/api` view (the default rate limit)."""

    api_responses: dict[int | str, dict[str, Any]] = field(default_factory=dict)
    """Extra documented responses of every `/api` route (e.g. 429 when rate limiting is on)."""

    cors_exposed_headers: list[str] = field(default_factory=list)
    """Response headers cross-origin browser code may read, beyond the core ones (e.g. `X-RateLimit-Remaining`)."""

    degradation_listeners: list[Callable[[str], None]] = field(default_factory=list)
    """Called with a dependency name (`"redis"`) each time a request is served without it (fail-open)."""

    on_shutdown: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    """Awaited once the server has stopped serving (close connection pools, flush event queues)."""

    extras: dict[str, Any] = field(default_factory=dict)
    """Anything else integrations need to share (keep it small)."""
