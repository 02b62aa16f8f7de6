"""What optional integrations contribute to the service, whatever the web framework:
`integrations/base.py` extends `ServiceWiring` with what only the web framework needs, as named, typed fields.
An integration only adds to the wiring (`install(settings, wiring)`); the framework's start-up applies it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from .database import PoolStats
from .lifecycle import ServiceState
from .middleware.telemetry import RequestObserver
from .websockets import Admission, SocketObserver, admit_anyone

T = TypeVar("T")


@dataclass
class ServiceWiring:
    state: ServiceState
    """Readiness checks (`state.add_check`) and the shutdown flag."""

    observers: list[RequestObserver] = field(default_factory=list)
    """Called for every request by the telemetry middleware (metrics)."""

    page_policies: dict[str, str] = field(default_factory=dict)
    """Path prefix -> Content-Security-Policy of the HTML pages served there (the docs UI, an admin site)."""

    index_links: dict[str, str] = field(default_factory=dict)
    """Name -> path of the pages `GET /` links to while DOCS_ENABLED, beyond the OpenAPI document (`docs`)."""

    untimed_paths: set[str] = field(default_factory=set)
    """Request paths whose responses carry no `Server-Timing` / `X-Process-Time` (core/middleware/telemetry.py): where
    the time spent could tell a secret, e.g. whether an email has an account."""

    larger_bodies: dict[str, int] = field(default_factory=dict)
    """Request path -> the largest body it accepts, where that is more than MAX_BODY_SIZE (a file upload streamed to
    storage): core/middleware/body_limit.py."""

    cors_exposed_headers: list[str] = field(default_factory=list)
    """Response headers cross-origin browser code may read, beyond the core ones (e.g. `X-RateLimit-Remaining`)."""

    degradation_listeners: list[Callable[[str], None]] = field(default_factory=list)
    """Called with a dependency name (`"redis"`) each time a request is served without it (fail-open)."""

    cache_listeners: list[Callable[[str, bool], None]] = field(default_factory=list)
    """Called with a cache's name and whether a read was a hit, for every read of the application cache (metrics)."""

    on_shutdown: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    """Awaited once the server has stopped serving (close connection pools, flush event queues)."""

    socket_admission: Admission = admit_anyone
    """Who may open a WebSocket (core/websockets.py): the bearer token's admission with authentication."""

    socket_observers: list[SocketObserver] = field(default_factory=list)
    """Told of every WebSocket opened, closed or refused and every message (metrics)."""

    database_pool: Callable[[], PoolStats | None] = field(default=lambda: None)
    """This process's database connection pool right now (None: no pool, e.g. SQLite without one); read by metrics."""

    on_startup: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    """Awaited once at start, before the server takes traffic (e.g. fetch the identity provider's keys)."""

    subject_listeners: list[Callable[[str], None]] = field(default_factory=list)
    """Called with the subject (`sub`) of each request whose bearer token was verified (e.g. Sentry's user id)."""

    components: dict[type[Any], object] = field(default_factory=dict)
    """Each integration's own object by its type (the token verifier, the Redis connection, ...): `provide` and
    `component`. FastAPI's app context shares this dict, so a route finds them there too."""

    def provide(self, component: object) -> None:
        """Keep an integration's object for the integrations installed after it (and the routes), by its type."""
        self.components[type(component)] = component

    def component(self, kind: type[T]) -> T:
        """The object of type `kind` an integration provided; LookupError when that integration is not installed."""
        found = self.components.get(kind)
        if found is None:
            raise LookupError(f"no {kind.__name__} was provided: its integration is not installed")
        return cast(T, found)
