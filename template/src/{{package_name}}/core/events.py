"""The per-user event stream (`/api/v1/events`), whatever the web framework: what a change of a record publishes,
how it reaches every replica, and what a connected client receives.

- A write of an owned record publishes one event, `{"type": "<resource>.created"|".updated"|".deleted", "id",
  "version"}`, once its transaction has committed; a write that is rolled back publishes nothing. The shared CRUD
  publishes it (api/events.py says where), so a new resource publishes without code of its own.
- It reaches the subscribers of every replica: through PostgreSQL (`NOTIFY` in the write's own transaction, which
  PostgreSQL delivers at commit and drops on rollback, to each replica's one `LISTEN`ing connection), through Redis
  pub/sub when the service uses Redis (published once the transaction has committed), or, with SQLite (one replica),
  straight to this process's subscribers.
- A connection receives the events of the records its token's subject owns, and only those: an admin scope widens
  what a caller may read and write over HTTP, never whose events it receives. A shared resource's events (its
  records are every reader's: core/ownership.py) go to every connection whose token holds its read scope.
- An event is delivered at most once, to the connections open when it arrives. Where one may have been missed, every
  connection that could have missed it is sent `{"type": "resync"}` (read what you show again), as soon as events flow
  again: after the replica lost its connection to the transport (a Redis or PostgreSQL restart: sent once it listens
  again), and after an event could not be published (Redis unreachable: sent to this replica's connections at once,
  and to every replica's once Redis takes a publish again).

`EventHub` is one process's subscribers; a transport (`LocalEvents`, `RedisEvents`, or the framework's PostgreSQL
listener) feeds it; `serve_event_stream` runs one connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Protocol

from .json_depth import may_be_too_deep

logger = logging.getLogger(__name__)

EVENTS_CHANNEL: Final = "resource_events"
"""The PostgreSQL `NOTIFY` channel events travel on between replicas (a database's own: deployments with a database
each never share one), and the last part of the Redis pub/sub channel's name (core/redis_events.py)."""
EVENTS_PATH: Final = "/api/v1/events"
QUEUE_SIZE: Final = 256
"""Events waiting for one slow connection at most; one more and it is closed with `CLOSE_TOO_SLOW`."""
CLOSE_TOO_SLOW: Final = 1013
"""The client reads its events more slowly than they come: reconnect (and read faster)."""
CLOSE_UNAVAILABLE: Final = 1013
"""The replica cannot listen for events right now (its database or Redis is down): reconnect with backoff."""
LISTENING_TIMEOUT_S: Final = 10.0
RESYNC: Final = "resync"
"""The type of the message that tells a connection events may have been missed: read the records again."""
RETRY_S: Final = 1.0
RETRY_CAP_S: Final = 5.0
"""Listening is tried again after `RETRY_S`, doubled up to this: events published while a replica waits to listen
again reach none of its connections, so the wait stays short (one connection attempt per replica is cheap)."""

Change = Literal["created", "updated", "deleted"]


@dataclass(frozen=True, slots=True)
class Event:
    """One event for the owner of a record (`owner`: the token subject that owns it; None: nobody's), for every
    connection whose token holds all of `readers` (a shared resource's read scopes), or for every connection
    (`everyone`: a resync)."""

    owner: str | None
    body: dict[str, Any]
    everyone: bool = False
    readers: frozenset[str] | None = None

    def encode(self) -> str:
        published: dict[str, Any] = {"owner": self.owner, "event": self.body}
        if self.everyone:
            published["everyone"] = True
        if self.readers is not None:
            published["readers"] = sorted(self.readers)
        return json.dumps(published, separators=(",", ":"))

    @classmethod
    def decode(cls, text: str | bytes) -> Event | None:
        """The event a replica published, or None (logged) for a payload that is not one."""
        try:
            decoded = json.loads(text)
            owner, body, readers = decoded["owner"], decoded["event"], decoded.get("readers")
            if (owner is None or isinstance(owner, str)) and isinstance(body, dict):
                if readers is None:
                    return cls(owner, body, everyone=decoded.get("everyone") is True)
                if isinstance(readers, list) and all(isinstance(scope, str) for scope in readers):
                    return cls(owner, body, readers=frozenset(readers))
        except (ValueError, KeyError, TypeError):
            pass
        logger.warning("Ignored a published event that is not one")
        return None


def resync_event() -> Event:
    """Tells every connection that events may have been missed."""
    return Event(None, {"type": RESYNC}, everyone=True)


def record_event(
    resource: str,
    change: Change,
    record_id: object,
    version: int,
    owner: str | None,
    *,
    readers: frozenset[str] | None = None,
) -> Event:
    """The event a committed write of one record publishes to its owner, or to every holder of `readers` (a shared
    resource's read scopes)."""
    body = {"type": f"{resource}.{change}", "id": str(record_id), "version": version}
    return Event(owner, body, readers=readers)


@dataclass(eq=False)
class Subscription:
    """One connection's events, in the order they were delivered to this replica."""

    owner: str | None
    scopes: frozenset[str] = frozenset()
    """What its token holds: a shared resource's events reach the connections holding its read scopes."""
    queue: asyncio.Queue[dict[str, Any]] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    overflowed: asyncio.Event = field(default_factory=asyncio.Event)


class EventHub:
    """This process's subscribers, by owner. `deliver` runs on the event loop; `deliver_threadsafe` from a worker
    thread (views that run in one)."""

    def __init__(self) -> None:
        self._subscribers: dict[str | None, set[Subscription]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self.listening = asyncio.Event()
        """Set while the transport receives every replica's events: a connection says `ready` only then."""

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The event loop the subscribers are served on (None before the service serves)."""
        return self._loop

    @contextlib.contextmanager
    def subscribe(self, owner: str | None, scopes: frozenset[str] = frozenset()) -> Iterator[Subscription]:
        subscription = Subscription(owner, scopes)
        self._subscribers.setdefault(owner, set()).add(subscription)
        try:
            yield subscription
        finally:
            subscribers = self._subscribers.get(owner)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._subscribers[owner]

    def subscribers(self) -> int:
        return sum(len(subscribers) for subscribers in self._subscribers.values())

    def deliver(self, event: Event) -> None:
        if event.everyone:
            subscriptions = [each for subscribers in self._subscribers.values() for each in subscribers]
        elif event.readers is not None:  # a shared record's: every connection allowed to read it, whoever it is
            readers = event.readers
            everyone = (each for subscribers in self._subscribers.values() for each in subscribers)
            subscriptions = [each for each in everyone if readers <= each.scopes]
        else:
            subscriptions = list(self._subscribers.get(event.owner, ()))
        for subscription in subscriptions:
            try:
                subscription.queue.put_nowait(event.body)
            except asyncio.QueueFull:  # closed as too slow: it reconnects, and reads the records again
                subscription.overflowed.set()

    def resync(self) -> None:
        """Tell every connection of this replica that it may have missed events."""
        self.deliver(resync_event())

    def listening_resumed(self) -> None:
        """The transport receives every replica's events (again). Every open connection subscribed while it listened
        before, so it may have missed what was published in between: each is told to resync."""
        self.resync()
        self.listening.set()

    def listening_lost(self) -> None:
        """The transport no longer receives events: new connections wait (`serve_event_stream`), open ones are told
        to resync once it listens again."""
        self.listening.clear()

    def deliver_threadsafe(self, event: Event) -> None:
        if self._loop is None:
            return  # not serving yet: nobody is subscribed
        self._loop.call_soon_threadsafe(self.deliver, event)


class EventTransport(Protocol):
    """How events reach every replica's hub: `start` begins receiving (and sets `hub.listening` once it does),
    `publish` sends an event once its write has committed, `stop` ends it all."""

    async def start(self) -> None: ...
    async def publish(self, event: Event) -> None: ...
    async def stop(self) -> None: ...


class LocalEvents:
    """One replica (SQLite): an event goes straight to this process's subscribers."""

    def __init__(self, hub: EventHub) -> None:
        self.hub = hub

    async def start(self) -> None:
        self.hub.bind(asyncio.get_running_loop())
        self.hub.listening_resumed()

    async def publish(self, event: Event) -> None:
        self.hub.deliver(event)

    async def stop(self) -> None:
        self.hub.listening.clear()


async def keep_listening(
    hub: EventHub, listen: Callable[[], Awaitable[None]], *, what: str, retry_s: float = RETRY_S
) -> None:
    """Run `listen` (which calls `hub.listening_resumed()` once subscribed and returns or raises when its connection
    is lost) again and again, with a bounded backoff, until cancelled: a database or Redis restart costs the events
    published while it was down, never the stream, and the connections open through it are told to resync."""
    delay = retry_s
    while True:
        try:
            await listen()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # whatever the reason, listen again
            logger.warning("Listening for events on %s failed (%s); retrying", what, type(exc).__name__)
        else:
            delay = retry_s
        if hub.listening.is_set():  # it listened, then lost its connection: a new outage, retried soon
            delay = retry_s
        hub.listening_lost()
        await asyncio.sleep(delay)
        delay = min(delay * 2, RETRY_CAP_S)


async def serve_event_stream(
    hub: EventHub,
    owner: str | None,
    *,
    scopes: frozenset[str] = frozenset(),
    send_text: Callable[[str], Awaitable[None]],
    receive_text: Callable[[], Awaitable[str]],
    close: Callable[[int], Awaitable[None]],
) -> None:
    """One accepted connection: `{"type": "ready"}` once every replica's events reach it, then its owner's events
    and those of the shared records its token's `scopes` may read, as they come; a client's `{"type": "ping"}` is
    answered with `{"type": "pong"}`. Returns when the client goes (its `receive_text` raises) or the connection is
    closed here."""
    try:
        await asyncio.wait_for(hub.listening.wait(), LISTENING_TIMEOUT_S)
    except TimeoutError:
        await close(CLOSE_UNAVAILABLE)
        return
    with hub.subscribe(owner, scopes) as subscription:
        await send_text(json.dumps({"type": "ready"}))
        async with _reading(receive_text, send_text) as client_gone:
            while True:
                waiting = asyncio.ensure_future(subscription.queue.get())
                overflow = asyncio.ensure_future(subscription.overflowed.wait())
                watched: set[asyncio.Future[Any]] = {waiting, client_gone, overflow}
                done, _ = await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
                if waiting not in done:
                    waiting.cancel()
                overflow.cancel()
                if client_gone in done:
                    return
                if overflow in done and waiting not in done:
                    await close(CLOSE_TOO_SLOW)
                    return
                await send_text(json.dumps(waiting.result(), separators=(",", ":")))


@contextlib.asynccontextmanager
async def _reading(
    receive_text: Callable[[], Awaitable[str]], send_text: Callable[[str], Awaitable[None]]
) -> AsyncIterator[asyncio.Future[None]]:
    """Reads the client's messages beside the events sent to it; the future it yields completes once the client
    has gone."""

    async def read() -> None:
        with contextlib.suppress(Exception):  # the client went away: its framework's disconnect
            while True:
                message = await receive_text()
                if _is_ping(message):
                    await send_text(json.dumps({"type": "pong"}))

    reader = asyncio.ensure_future(read())
    try:
        yield reader
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader


def _is_ping(message: str) -> bool:
    """Whether a client's message is `{"type": "ping"}`; anything else is ignored. A message nested deeper than any
    request body may be (core/json_depth.py) is never parsed: json.loads raises RecursionError on some of them, which
    ended the socket's reader, and the socket with it, without a close frame."""
    if may_be_too_deep(message.encode()):
        return False
    try:
        decoded = json.loads(message)
    except (ValueError, RecursionError):
        return False
    return isinstance(decoded, dict) and decoded.get("type") == "ping"
