"""WebSocket connections, whatever the web framework: who may connect, how a browser sends its token, and when an
open socket is closed. The framework routes the socket and says what its route declares (`SocketAccess`); the gate
(`WebSocketGate`) decides here, before any of the route's code runs. A WebSocket scope never reaches the HTTP
middleware's work: HTTP requests go by the gate untouched.

What a client sees:
- The token travels as a `Sec-WebSocket-Protocol` value, never in the URL: offer the subprotocols `bearer` and the
  access token (a browser: `new WebSocket(url, ["bearer", token])`); the service answers with `bearer` (never the
  token), which browsers require of a server when subprotocols were offered. A non-browser client may send
  `Authorization: Bearer <token>` instead (not both).
- Refused on the handshake (HTTP 403, nothing accepted; a browser only sees close code 1006): a path no WebSocket
  route serves, an `Origin` that CORS_ORIGINS does not list (no `Origin` at all: a non-browser client, allowed), and a
  token in the URL (`?token=`, `?access_token=`, ...: refused, never used, since URLs end up in logs and histories).
  These are a wrong client or a cross-site page: nothing for browser code to act on.
- Accepted, then closed before any message of the route, with a code browser code can read (`CloseEvent.code`):
  `CLOSE_UNAUTHENTICATED` (4401: no token, or one that is not valid: malformed, expired, revoked, badly signed): get
  a new token, then reconnect; `CLOSE_FORBIDDEN` (4403: a valid token without the route's scopes): do not retry with
  that token.
- An open socket's token is verified again every `RECHECK_INTERVAL_S` seconds, as a new request's would be: once it
  has expired (past AUTH_LEEWAY) or been revoked (logout, a reused refresh token, a deactivated account, `revoke`),
  the socket is closed with 4401 within that interval, and the route's code is cancelled (as at shutdown); a
  revocation made on another replica first reaches this one's revoked-token list (within a second,
  core/revoked_tokens.py), so within two seconds there.

Limits (settings `WEBSOCKET_*`), each breach closing the socket with its own code:
- `CLOSE_TOO_MANY_CONNECTIONS` (4409): the subject (the client address on a public route) already holds
  `max_connections` open sockets on this replica: close one, or reconnect later.
- `CLOSE_TOO_MANY_MESSAGES` (4429): the client sent more than `messages_per_second` messages in a second (a burst of
  as many is allowed): reconnect with backoff, and send less.
- `CLOSE_MESSAGE_TOO_BIG` (1009): a message longer than `max_message_bytes`; it never reaches the route.
- `CLOSE_IDLE` (4408): no message from the client for `idle_timeout_s`: a client that stays connected sends a message
  (the event stream's `{"type": "ping"}`) more often than that.
- `CLOSE_SERVICE_RESTART` (1012): the service is stopping (after readiness has turned 503): reconnect with backoff.

Two lines are logged per connection: one when it opens (path, route, subject) and one when it ends or is refused
(path, route, subject, close code, duration). While tracing is on (core/tracing.py), each message the client sends
and each one the service sends is a span of the connection's server span (`WS receive <route>`, `WS send <route>`).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol
from urllib.parse import unquote_plus

from opentelemetry.trace import SpanKind

from .asgi_types import ASGIApp, Message, Receive, Scope, Send
from .trace_context import TRACING, span

if TYPE_CHECKING:
    from .settings import ServiceSettings

logger = logging.getLogger(__name__)

CLOSE_NORMAL: Final = 1000
CLOSE_SERVICE_RESTART: Final = 1012
"""The service is stopping (a deploy, a scale-down): reconnect, with backoff; another replica will answer."""
CLOSE_MESSAGE_TOO_BIG: Final = 1009
CLOSE_IDLE: Final = 4408
CLOSE_TOO_MANY_CONNECTIONS: Final = 4409
CLOSE_TOO_MANY_MESSAGES: Final = 4429
CLOSE_UNAUTHENTICATED: Final = 4401
"""No token, or one the service does not accept (any more): get a new token, then reconnect."""
CLOSE_FORBIDDEN: Final = 4403
"""A valid token without the scopes the route declares: reconnecting with the same token will not help."""
HANDSHAKE_REFUSED_STATUS: Final = 403
"""What the server answers a handshake closed before it was accepted (no route, wrong Origin, token in the URL)."""

BEARER_SUBPROTOCOL: Final = "bearer"
"""The subprotocol that says "the next value is my access token"; the one the service echoes."""
TOKEN_QUERY_PARAMETERS: Final = frozenset({"token", "access_token", "id_token", "jwt", "bearer", "authorization"})
"""Query parameter names (any case) that carry a token: a handshake with one is refused, the token never used."""
RECHECK_INTERVAL_S: Final = 1.0
"""How often every open socket's token is verified again (expiry, revocation): the bound on closing it."""


@dataclass(frozen=True, slots=True)
class SocketLimits:
    """What one connection may do (settings `WEBSOCKET_*`); see the module's doc for the close codes."""

    max_connections: int = 5
    messages_per_second: float = 5.0
    max_message_bytes: int = 4096
    idle_timeout_s: float = 60.0


def socket_limits(settings: ServiceSettings) -> SocketLimits:
    return SocketLimits(
        max_connections=settings.websocket_max_connections,
        messages_per_second=settings.websocket_messages_per_second,
        max_message_bytes=settings.websocket_max_message_bytes,
        idle_timeout_s=settings.websocket_idle_timeout,
    )


class SocketObserver(Protocol):
    """Told what the gate sees (Prometheus counts it): connections opened and closed, messages in and out, and
    refusals by reason (a close code's name)."""

    def opened(self) -> None: ...
    def closed(self) -> None: ...
    def received(self) -> None: ...
    def sent(self) -> None: ...
    def refused(self, reason: str) -> None: ...


@dataclass(frozen=True, slots=True)
class SocketAccess:
    """What a WebSocket route declares: the scopes a token needs (none: any valid token), or that anyone may
    connect (`public`). `route` is its path template, for the log."""

    route: str
    scopes: frozenset[str] = frozenset()
    public: bool = False


class Refused(Exception):  # noqa: N818 - reads as what happened
    """The connection is refused (before anything of the route runs) or closed, with `code`. `reason` is for the
    log: it never contains the token."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Admitted:
    """Who a connection was admitted as. `recheck` raises `Refused` once the credentials it was admitted with are no
    longer accepted (expired, revoked): the gate then closes the socket."""

    subject: str | None = None
    recheck: Callable[[], Awaitable[object]] | None = None


class Admission(Protocol):
    """Decides whether a connection to a route with `access` may open, from its credentials (`Authorization` value,
    `Bearer <token>`, or None): `Admitted`, else raises `Refused`. May record the principal in `scope["state"]` for
    the route."""

    def __call__(self, scope: Scope, authorization: str | None, access: SocketAccess) -> Awaitable[Admitted]: ...


async def admit_anyone(scope: Scope, authorization: str | None, access: SocketAccess) -> Admitted:
    """The admission of a service without authentication: every declared route is open."""
    return Admitted()


RouteLookup = Callable[[Scope], SocketAccess | None]
"""What the route serving a WebSocket scope declares; None when no WebSocket route serves its path."""


@dataclass(eq=False)
class _OpenSocket:
    admitted: Admitted
    task: asyncio.Task[Any] | None
    """The task serving the connection: cancelled when the gate closes the socket."""
    holder: str | None
    """Whose connection it counts as (its subject, else its client's address)."""
    last_message: float
    tokens: float
    """Messages the client may still send now (refilled at `messages_per_second`)."""
    close_code: int | None = None
    closed_by_gate: bool = field(default=False)
    route: str = ""
    """The route's path template (`SocketAccess.route`), for its messages' spans."""


REFUSAL_REASONS: Final = {
    CLOSE_UNAUTHENTICATED: "unauthenticated",
    CLOSE_FORBIDDEN: "forbidden",
    CLOSE_MESSAGE_TOO_BIG: "message_too_big",
    CLOSE_IDLE: "idle",
    CLOSE_TOO_MANY_CONNECTIONS: "too_many_connections",
    CLOSE_TOO_MANY_MESSAGES: "too_many_messages",
    CLOSE_SERVICE_RESTART: "service_restart",
}
"""The `reason` label of a refusal or a close by the gate (handshake refusals are `handshake`)."""


class WebSocketGate:
    """The one way in for WebSocket scopes (see the module's doc); any other scope goes straight to `app`.

    `routes` says what the route of a scope declares, `admission` checks the credentials against it, `origins` are
    CORS_ORIGINS (`*`: any)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: RouteLookup,
        admission: Admission = admit_anyone,
        origins: Iterable[str] = (),
        recheck_interval_s: float = RECHECK_INTERVAL_S,
        shutdown_listeners: list[Callable[[], None]] | None = None,
        limits: SocketLimits | None = None,
        observers: Sequence[SocketObserver] = (),
    ) -> None:
        self.app = app
        self.routes = routes
        self.admission = admission
        allowed = list(origins)
        self.any_origin = "*" in allowed
        self.origins = frozenset(origin.encode("latin-1") for origin in allowed)
        self.recheck_interval_s = recheck_interval_s
        self.limits = limits or SocketLimits()
        self.observers = tuple(observers)
        self._per_holder: dict[str | None, int] = {}
        self._open: set[_OpenSocket] = set()
        self._rechecks: asyncio.Task[None] | None = None
        self._stopping = False
        if shutdown_listeners is not None:  # the service's: its shutdown closes every open socket
            shutdown_listeners.append(self.close_all)

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not a coroutine of its own: an HTTP request costs this comparison, no extra frame while it is served.
        if scope["type"] != "websocket":
            return self.app(scope, receive, send)
        return self.serve(scope, receive, send)

    def open_sockets(self) -> int:
        return len(self._open)

    def close_all(self, code: int = CLOSE_SERVICE_RESTART) -> None:
        """Close every open socket with `code` (at shutdown, once readiness says 503): each route is cancelled, then
        its socket closed from its own task, as a revoked token's is."""
        self._stopping = True
        for socket in list(self._open):
            self._close(socket, code)

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        access = self.routes(scope)
        if access is None:
            return await self._refuse_handshake(scope, send, started, None, "no WebSocket route serves this path")
        origin, authorization = _origin_and_authorization(scope["headers"])
        if origin is not None and not (self.any_origin or origin in self.origins):
            return await self._refuse_handshake(scope, send, started, access, "Origin not in CORS_ORIGINS")
        if _names_a_token(scope.get("query_string", b"")):
            return await self._refuse_handshake(scope, send, started, access, "a token in the URL")
        offered: Sequence[str] = scope.get("subprotocols") or ()
        subprotocol = BEARER_SUBPROTOCOL if BEARER_SUBPROTOCOL in offered else None
        try:
            admitted, holder = await self._admit(scope, _credentials(offered, authorization), access)
        except Refused as refusal:
            return await self._refuse_after_accept(
                scope, receive, send, started=started, access=access, subprotocol=subprotocol, refusal=refusal
            )
        socket = _OpenSocket(
            admitted,
            asyncio.current_task(),
            holder,
            time.monotonic(),
            self.limits.messages_per_second,
            route=access.route,
        )
        self._opened(scope, access, socket)
        try:
            await self.app(scope, self._receiver(socket, receive), self._sender(socket, send, subprotocol))
        except asyncio.CancelledError:
            # The gate's own cancellation (`_close`) ends the route, then the socket, from the connection's own
            # task (a server may serialise a connection's sends with its pending receive); the server's (its
            # shutdown) goes on.
            if not socket.closed_by_gate or socket.task is None or socket.task.uncancel() > 0:
                raise
            with contextlib.suppress(Exception):  # the client may be gone already
                await send({"type": "websocket.close", "code": socket.close_code, "reason": ""})
        finally:
            self._closed(scope, access, socket, started)

    async def _admit(self, scope: Scope, credentials: str | None, access: SocketAccess) -> tuple[Admitted, str | None]:
        """Who the connection is admitted as and whose connection it counts as; raises `Refused`."""
        admitted = await self.admission(scope, credentials, access)
        if self._stopping:
            raise Refused(CLOSE_SERVICE_RESTART, "the service is stopping")
        holder = admitted.subject if admitted.subject is not None else _client_address(scope)
        if self._per_holder.get(holder, 0) >= self.limits.max_connections:
            raise Refused(CLOSE_TOO_MANY_CONNECTIONS, f"{self.limits.max_connections} sockets open already")
        return admitted, holder

    def _opened(self, scope: Scope, access: SocketAccess, socket: _OpenSocket) -> None:
        self._open.add(socket)
        self._per_holder[socket.holder] = self._per_holder.get(socket.holder, 0) + 1
        if self._rechecks is None:
            # In a context of its own: a task starts in a copy of its creator's, here the first socket's (its request
            # id, its log fields), and every recheck, whichever socket it closes, would log as that socket.
            self._rechecks = asyncio.create_task(
                self._recheck_while_open(), name="websocket-rechecks", context=contextvars.Context()
            )
        _log_opened(scope, access, socket.admitted.subject)
        for observer in self.observers:
            observer.opened()

    def _closed(self, scope: Scope, access: SocketAccess, socket: _OpenSocket, started: float) -> None:
        self._open.discard(socket)
        remaining = self._per_holder.get(socket.holder, 1) - 1
        if remaining:
            self._per_holder[socket.holder] = remaining
        else:
            self._per_holder.pop(socket.holder, None)
        for observer in self.observers:
            observer.closed()
            if socket.closed_by_gate and socket.close_code is not None:
                observer.refused(REFUSAL_REASONS.get(socket.close_code, str(socket.close_code)))
        _log_connection(scope, access, socket.admitted.subject, socket.close_code, started)

    def _receiver(self, socket: _OpenSocket, receive: Receive) -> Receive:
        async def receive_recorded() -> Message:
            message = await receive()
            kind = message["type"]
            if kind == "websocket.receive":
                for observer in self.observers:
                    observer.received()
                if TRACING.on:  # a mark where the message arrived, in the connection's trace
                    with _message_span(socket.route, message, SpanKind.CONSUMER):
                        pass
                breach = self._breach(socket, message)
                if breach is not None:
                    self._close(socket, breach)
                    await asyncio.sleep(0)  # received in the connection's own task: the cancellation ends it here
                    return {"type": "websocket.disconnect", "code": breach}  # in another: the message never arrives
            elif kind == "websocket.disconnect" and socket.close_code is None:
                socket.close_code = message.get("code", CLOSE_NORMAL)
            return message

        return receive_recorded

    def _sender(self, socket: _OpenSocket, send: Send, subprotocol: str | None) -> Send:
        async def send_recorded(message: Message) -> None:
            kind = message["type"]
            if kind == "websocket.accept" and subprotocol is not None and message.get("subprotocol") is None:
                message = {**message, "subprotocol": subprotocol}  # browsers close a socket that is not answered so
            elif kind == "websocket.close" and socket.close_code is None:
                socket.close_code = message.get("code", CLOSE_NORMAL)
            elif kind == "websocket.send":
                for observer in self.observers:
                    observer.sent()
                if TRACING.on:
                    with _message_span(socket.route, message, SpanKind.PRODUCER):
                        await send(message)
                    return
            await send(message)

        return send_recorded

    def _breach(self, socket: _OpenSocket, message: Message) -> int | None:
        """The limit a client's message breaks (its close code), or None. Spends one of the socket's tokens."""
        limits = self.limits
        if _size(message) > limits.max_message_bytes:
            return CLOSE_MESSAGE_TOO_BIG
        now = time.monotonic()
        refill = (now - socket.last_message) * limits.messages_per_second
        socket.tokens = min(max(limits.messages_per_second, 1.0), socket.tokens + refill)
        socket.last_message = now
        if socket.tokens < 1:
            return CLOSE_TOO_MANY_MESSAGES
        socket.tokens -= 1
        return None

    async def _refuse_handshake(
        self, scope: Scope, send: Send, started: float, access: SocketAccess | None, reason: str
    ) -> None:
        # Closed before it was accepted: the server answers the handshake with HTTP 403.
        await send({"type": "websocket.close", "code": 1008})
        for observer in self.observers:
            observer.refused("handshake")
        _log_connection(scope, access, None, None, started, refused=reason, status=HANDSHAKE_REFUSED_STATUS)

    async def _refuse_after_accept(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        started: float,
        access: SocketAccess,
        subprotocol: str | None,
        refusal: Refused,
    ) -> None:
        # Accepted only so that browser code can read why (CloseEvent.code); nothing of the route has run.
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.accept", "subprotocol": subprotocol, "headers": []})
            await send({"type": "websocket.close", "code": refusal.code, "reason": ""})
        for observer in self.observers:
            observer.refused(REFUSAL_REASONS.get(refusal.code, str(refusal.code)))
        _log_connection(scope, access, None, refusal.code, started, refused=refusal.reason)

    async def _recheck_while_open(self) -> None:
        try:
            while self._open:
                await asyncio.sleep(min(self.recheck_interval_s, self.limits.idle_timeout_s / 2))
                idle_since = time.monotonic() - self.limits.idle_timeout_s
                for socket in list(self._open):
                    if socket.last_message < idle_since:
                        self._close(socket, CLOSE_IDLE)
                    await self._recheck(socket)
        finally:
            self._rechecks = None

    async def _recheck(self, socket: _OpenSocket) -> None:
        if socket.closed_by_gate or socket.admitted.recheck is None:
            return
        try:
            await socket.admitted.recheck()
        except Refused as refusal:
            logger.info("WebSocket of %s closed: %s", socket.admitted.subject, refusal.reason)
            self._close(socket, refusal.code)
        except Exception:  # a check that fails is no reason to stop checking the others
            logger.exception("WebSocket token recheck failed")

    def _close(self, socket: _OpenSocket, code: int) -> None:
        if socket in self._open and socket.task is not None and not socket.closed_by_gate:
            # The route stops whatever it awaits (a receive, or something to send), then `serve` closes the
            # socket: some servers (granian) close a connection only once its application returns.
            socket.closed_by_gate = True
            socket.close_code = code
            socket.task.cancel()


def _size(message: Message) -> int:
    data = message.get("bytes")
    text = message.get("text")
    return len(data) if data is not None else len(text.encode()) if isinstance(text, str) else 0


def _message_span(route: str, message: Message, kind: SpanKind) -> contextlib.AbstractContextManager[object]:
    """A message's span (core/trace_context.py), the child of the connection's server span: `WS receive <route>`
    where one from the client arrived, `WS send <route>` around one the service sends. The size, never the data."""
    operation = "receive" if kind is SpanKind.CONSUMER else "send"
    attributes: dict[str, str | int] = {
        "network.protocol.name": "websocket",
        "http.route": route,
        "messaging.operation.type": operation,
        "messaging.message.body.size": _size(message),
    }
    return span(f"WS {operation} {route}", kind, attributes)


def _client_address(scope: Scope) -> str | None:
    client = scope.get("client")
    return None if client is None else str(client[0])


def _log_opened(scope: Scope, access: SocketAccess, subject: str | None) -> None:
    fields = {"path": scope["path"], "route": access.route, "subject": subject, "client": _client_address(scope)}
    logger.info("WebSocket opened", extra=fields)


def _origin_and_authorization(headers: Iterable[tuple[bytes, bytes]]) -> tuple[bytes | None, list[bytes]]:
    origin: bytes | None = None
    authorization: list[bytes] = []
    for name, value in headers:
        if name == b"origin":
            origin = value
        elif name == b"authorization":
            authorization.append(value)
    return origin, authorization


def _names_a_token(query: bytes) -> bool:
    if not query:
        return False
    for pair in query.decode("latin-1").split("&"):
        name = unquote_plus(pair.partition("=")[0]).strip().lower()
        if name in TOKEN_QUERY_PARAMETERS:
            return True
    return False


def _credentials(offered: Sequence[str], authorization: list[bytes]) -> str | None:
    """The connection's credentials as an Authorization value (`Bearer <token>`), or None without any."""
    token: str | None = None
    if BEARER_SUBPROTOCOL in offered:
        position = offered.index(BEARER_SUBPROTOCOL)
        if position + 1 >= len(offered):
            raise Refused(CLOSE_UNAUTHENTICATED, "the bearer subprotocol without a token after it")
        token = offered[position + 1]
    if authorization:
        if token is not None or len(authorization) > 1:
            raise Refused(CLOSE_UNAUTHENTICATED, "more than one credential (subprotocol and Authorization headers)")
        return authorization[0].decode("latin-1")
    return None if token is None else f"Bearer {token}"


def _log_connection(
    scope: Scope,
    access: SocketAccess | None,
    subject: str | None,
    close_code: int | None,
    started: float,
    *,
    refused: str | None = None,
    status: int | None = None,
) -> None:
    client = scope.get("client")
    fields: dict[str, Any] = {
        "path": scope["path"],
        "route": None if access is None else access.route,
        "subject": subject,
        "close_code": close_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 3),
        "client": None if client is None else client[0],
    }
    if status is not None:
        fields["status"] = status
    if refused is not None:
        logger.info("WebSocket refused: %s", refused, extra=fields)
    else:
        logger.info("WebSocket closed", extra=fields)
