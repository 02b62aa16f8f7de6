"""The per-user event stream (core/events.py) in this service: `/api/v1/events`, what publishes to it, and how its
events reach every replica.

Publishing is the shared CRUD's: each write of a `ResourceViewSet` (api/resources.py) records its event with
`record_in_transaction`, inside the write's `transaction.atomic()` block. How the events travel between replicas
is api/event_transport.py's: sent inside the write's transaction, or once it has committed (`transaction.on_commit`);
either way a write that rolls back publishes nothing.
Code outside a request (a job, a command) records its events the same way, in its own `transaction.atomic()` block
(a worker first hands the publisher its event loop: `publish_on`), or publishes a change it has committed with
`publisher().publish(event)`.
A domain's own events (core/domain_events.py) take one call in the same block, wherever the write happens (a view, a
service function, a job): `record_domain_event(BOOKING_CONFIRMED, booking, BookingConfirmed(...))`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
from typing import Final

from django.conf import settings as django_settings
from django.db import connection, models, transaction

from ..config import Settings
from ..core.domain_events import DomainEvent, PayloadT
from ..core.events import EVENTS_CHANNEL, Event, EventHub, EventTransport, serve_event_stream
from .event_transport import event_transport
from .websockets import WebSocket, requires

logger = logging.getLogger(__name__)

PUBLISH_TIMEOUT_S: Final = 5.0
"""How long a job's thread waits for its event to be sent (the transport's own timeouts are shorter)."""


@requires()
async def events(websocket: WebSocket) -> None:
    """The events of the records the connection's subject owns, and of the shared records its token may read (any
    valid token: no one else's events)."""
    await websocket.accept()
    await serve_event_stream(
        publisher().hub,
        websocket.subject,
        scopes=websocket.scopes,
        send_text=websocket.send_text,
        receive_text=websocket.receive_text,
        close=websocket.close,
    )


class EventPublisher:
    """The service's events: its hub (this replica's subscribers) and the transport between replicas."""

    def __init__(self, settings: Settings) -> None:
        self.hub = EventHub()
        self.transport: EventTransport
        self.transport, self.notify_in_transaction = event_transport(self.hub, settings)
        self._publishing_loop: asyncio.AbstractEventLoop | None = None

    async def publish(self, event: Event) -> None:
        """Publish the event of a change already committed (code outside a request: a job, a command)."""
        await self.transport.publish(event)

    def publish_on(self, loop: asyncio.AbstractEventLoop) -> None:
        """A process that does not serve the stream (the job worker) publishes its threads' events on `loop`, each
        thread waiting for its event to be sent: one job's changes go out in the order they committed."""
        self._publishing_loop = loop

    def publish_from_thread(self, event: Event) -> None:
        """`publish`, from a worker thread (Django's views, jobs): sent on the service's event loop, not waited for
        (waited for in a process that `publish_on` a loop)."""
        loop = self._publishing_loop or self.hub.loop
        if loop is None or loop.is_closed():
            return  # not serving (a command, a test without the server, a server gone): nobody can be subscribed
        publishing = self.publish(event)
        try:
            sent = asyncio.run_coroutine_threadsafe(publishing, loop)
        except RuntimeError:  # the loop closed in between (the server stopping): nobody is subscribed any more
            publishing.close()
            return
        sent.add_done_callback(_log_failure)
        if self._publishing_loop is not None:
            concurrent.futures.wait([sent], timeout=PUBLISH_TIMEOUT_S)

    def record_in_transaction(self, event: Event) -> None:
        """Call inside the write's `transaction.atomic()` block: the event is published once it commits, never
        when it rolls back."""
        if self.notify_in_transaction and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_notify(%s, %s)", [EVENTS_CHANNEL, event.encode()])
        else:
            transaction.on_commit(lambda: self.publish_from_thread(event))


def record_domain_event(declared: DomainEvent[PayloadT], record: models.Model, payload: PayloadT) -> None:
    """Call inside the write's `transaction.atomic()` block: one of the domain's own events about `record`, published
    to the record's owner (whoever writes) once the transaction commits, never when it rolls back; as a change of the
    record is."""
    owner: str | None = getattr(record, "owner_id", None)  # rows without owners (no authentication): nobody's
    publisher().record_in_transaction(declared.event(owner, record.pk, payload))


def _log_failure(sent: concurrent.futures.Future[None]) -> None:
    if not sent.cancelled() and sent.exception() is not None:
        logger.warning("An event could not be published (%s)", type(sent.exception()).__name__)


@functools.cache
def publisher() -> EventPublisher:
    """The service's events, built once from the Django settings' `SERVICE_SETTINGS`."""
    return EventPublisher(django_settings.SERVICE_SETTINGS)
