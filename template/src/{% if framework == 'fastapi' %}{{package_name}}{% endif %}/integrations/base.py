"""What an optional integration may contribute to the app. `create_app` collects it, then applies it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import params

from ..core.wiring import ServiceWiring


@dataclass
class Wiring(ServiceWiring):
    """`ServiceWiring` (readiness, observers, page policies, CORS headers, degradation, shutdown) plus FastAPI's."""

    api_dependencies: list[params.Depends] = field(default_factory=list)
    """Dependencies added to every `/api` route (e.g. the default rate limit)."""

    api_responses: dict[int | str, dict[str, Any]] = field(default_factory=dict)
    """Extra documented responses of every `/api` route (e.g. 429 when rate limiting is on)."""
