"""`GET /`: what this service is and where to go from here, for a person or a client finding it.

The same document from every web framework: the service's name and version, and links to its health summary,
its OpenAPI document and docs page (while DOCS_ENABLED), absolute under PUBLIC_URL when that is set.
"""

from __future__ import annotations

from typing import Any, Final

from .settings import ServiceSettings
from .wiring import ServiceWiring

HEALTH_PATH: Final = "/health"
OPENAPI_PATH: Final = "/openapi.json"


def service_index(settings: ServiceSettings, wiring: ServiceWiring, *, name: str, version: str) -> dict[str, Any]:
    """The body of `GET /`; it never changes while the process runs."""
    paths = {"health": HEALTH_PATH}
    if settings.docs_enabled:
        paths["openapi"] = OPENAPI_PATH
        paths.update(wiring.index_links)
    base = settings.public_url or ""
    return {"name": name, "version": version, "links": {rel: base + path for rel, path in sorted(paths.items())}}


def openapi_servers(settings: ServiceSettings) -> list[dict[str, str]]:
    """The OpenAPI document's `servers`: PUBLIC_URL when set, else none (clients use the document's own origin)."""
    return [{"url": settings.public_url}] if settings.public_url else []
