"""What an optional integration may contribute to the app. `create_app` collects it, then applies it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import params

from ..lifecycle import ServiceState
from ..middleware.telemetry import RequestObserver


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

    extras: dict[str, Any] = field(default_factory=dict)
    """Anything else integrations need to share (keep it small)."""
