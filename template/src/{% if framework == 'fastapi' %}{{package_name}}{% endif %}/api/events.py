"""The per-user event stream (core/events.py) in this service: `/api/v1/events`, what publishes to it, and how its
events reach every replica.

Publishing is the shared CRUD's (api/crud.py): each write of a `Repository` records its event with the request's
`PendingEvents`, which the repository dependency gives it (api/repositories.py). How the events travel between
replicas is api/event_transport.py's: sent inside the request's transaction, or once its session has committed;
either way a request that fails publishes nothing.
Code outside a request records the events of its own transaction with `EventPublisher.pending()`, as a request does
(jobs/queue.py's `JobDatabase.transaction`), or publishes a change it has committed with `EventPublisher.publish`.
A domain's own events (core/domain_events.py) take one call: `repository.record_domain_event(...)` in a request (the
row's owner receives it), `events.record(connection, BOOKING_CONFIRMED.event(owner_id, booking_id, payload))` in a job.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, WebSocket
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from ..config import Settings
from ..context import app_context
from ..core.events import (
    EVENTS_CHANNEL,
    EVENTS_PATH,
    Event,
    EventHub,
    EventTransport,
    serve_event_stream,
)
from ..core.request_context import SUBJECT_STATE_KEY, admitted_scopes
from ..database import after_commit
from .access import requires
from .dependencies import READ_ONLY_METHODS
from .event_transport import event_transport

router = APIRouter(tags=["events"])


@router.websocket(EVENTS_PATH, dependencies=[requires()])
async def events(websocket: WebSocket) -> None:
    """The events of the records the connection's subject owns, and of the shared records its token may read (any
    valid token: no one else's events)."""
    hub = app_context(websocket.app).component(EventPublisher).hub
    owner: str | None = websocket.scope.get("state", {}).get(SUBJECT_STATE_KEY)

    async def close(code: int) -> None:
        await websocket.close(code)

    await websocket.accept()
    await serve_event_stream(
        hub,
        owner,
        scopes=admitted_scopes(websocket.scope),
        send_text=websocket.send_text,
        receive_text=websocket.receive_text,
        close=close,
    )


class EventPublisher:
    """The service's events: its hub (this replica's subscribers) and the transport between replicas."""

    def __init__(self, settings: Settings, engine: AsyncEngine) -> None:
        self.hub = EventHub()
        self.transport: EventTransport
        self.transport, self.notify_in_transaction = event_transport(self.hub, settings, engine)

    async def publish(self, event: Event) -> None:
        """Publish the event of a change already committed (code outside a request: a job, a command)."""
        await self.transport.publish(event)

    def pending(self) -> PendingEvents:
        return PendingEvents(self)


class PendingEvents:
    """The events of one transaction's writes (a request's `Repository`, a job's): sent in the transaction, or once
    it has committed (`committed`, which its owner calls then, and only then)."""

    def __init__(self, publisher: EventPublisher) -> None:
        self._publisher = publisher
        self._events: list[Event] = []

    async def record(self, session: AsyncSession | AsyncConnection, event: Event) -> None:
        if self._publisher.notify_in_transaction:
            await session.execute(select(func.pg_notify(EVENTS_CHANNEL, event.encode())))
        else:
            self._events.append(event)

    async def committed(self) -> None:
        for event in self._events:
            await self._publisher.publish(event)
        self._events.clear()


def request_events(request: Request, session: AsyncSession) -> PendingEvents | None:
    """The events of the request's writes, published once its session has committed (`after_commit`: nothing when
    the request fails or the commit does). A read writes nothing: None, no recorder built. A plain call from the
    repository dependency, not a dependency of its own: FastAPI would enter a generator for every request, reads
    included."""
    if request.method in READ_ONLY_METHODS:
        return None
    pending = app_context(request.app).component(EventPublisher).pending()
    after_commit(session, pending.committed)
    return pending
