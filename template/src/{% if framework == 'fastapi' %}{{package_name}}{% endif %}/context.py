"""What `create_app` builds, in one typed object: the settings, the service's state, the database engine and
sessions, and each integration's own object (the token verifier, the rate limits, ...).

Starlette's `app.state` is untyped: everything is kept in one `AppContext` there, and read back only through
`app_context(app)`, so a dependency gets a typed object (or a clear error), never an attribute spelled wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, Protocol, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request

from .config import Settings
from .core.lifecycle import ServiceState

CONTEXT_STATE_KEY: Final = "context"

T = TypeVar("T")


class ReadRouting(Protocol):
    """Where a GET or HEAD request reads when not through `AppContext.read_sessions` (a read replica:
    integrations/replica.py, core/replica.py's rule)."""

    async def sessions_for(self, request: Request) -> async_sessionmaker[AsyncSession] | None:
        """The read sessions of `request`, once they can connect; None: `read_sessions` (the primary)."""
        ...

    def wrote(self, request: Request) -> None:
        """`request` has committed a write: its caller's next reads must see it."""
        ...

    def reads_replica(self, request: Request) -> bool:
        """Whether `sessions_for` gave `request` the replica's sessions: what they read may be behind the primary."""
        ...


@dataclass
class AppContext:
    settings: Settings
    service: ServiceState
    """Readiness checks and shutdown: what the health routes and the server read."""
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    """The factory of the requests' database sessions (`api/dependencies.py`)."""
    read_sessions: async_sessionmaker[AsyncSession]
    """The sessions of GET and HEAD requests: the same pool in autocommit mode (`database.create_read_sessions`)."""
    read_routing: ReadRouting | None = None
    """Sends some GET and HEAD requests' reads elsewhere (a read replica); None: every read uses `read_sessions`."""
    subject_listeners: list[Callable[[str], None]] = field(default_factory=list)
    """Called with the subject of each request whose bearer token was verified (`Wiring.subject_listeners`)."""
    components: dict[type[Any], object] = field(default_factory=dict)
    """Each integration's own object by its type: the wiring's (`Wiring.provide`), shared."""

    def provide(self, component: object) -> None:
        """Keep an integration's object for the routes that need it, found by its type (`component(kind)`)."""
        self.components[type(component)] = component

    def component(self, kind: type[T]) -> T:
        """The object of type `kind` an integration provided; LookupError when that integration is not installed."""
        found = self.find(kind)
        if found is None:
            raise LookupError(f"no {kind.__name__} was provided: its integration is not installed")
        return found

    def find(self, kind: type[T]) -> T | None:
        """The object of type `kind` an integration provided, or None when that integration is not installed."""
        return cast("T | None", self.components.get(kind))


def attach_context(app: Starlette, context: AppContext) -> None:
    setattr(app.state, CONTEXT_STATE_KEY, context)


def app_context(app: Starlette) -> AppContext:
    """The context `create_app` attached to `app`: the one place that reads it back from `app.state`."""
    context = getattr(app.state, CONTEXT_STATE_KEY, None)
    if not isinstance(context, AppContext):
        raise LookupError("this application has no AppContext: build it with create_app")
    return context
