"""The service one ASGI app serves: its settings, state and wiring, reachable from every request's scope.

Django's settings are process-wide; these objects are per app, so tests can build apps from different Settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from .core.lifecycle import ServiceState
from .integrations.base import Wiring
from .settings import Settings

SCOPE_KEY: Final = "service"


@dataclass(frozen=True)
class Service:
    settings: Settings
    state: ServiceState
    wiring: Wiring
    urlconf: type
    """The URL patterns of this app (which routes exist depends on the settings), set per request."""


def service_of(request: Any) -> Service:
    """The Service serving a Django or DRF request (DRF's Request passes `scope` through to Django's)."""
    scope = getattr(request, "scope", None) or {}
    service = scope.get(SCOPE_KEY)
    if not isinstance(service, Service):
        raise LookupError("the request was not served by an app built with create_app()")
    return service
