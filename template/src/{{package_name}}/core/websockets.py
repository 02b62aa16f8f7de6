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

One line is logged per connection when it ends (or is refused): path, route, subject, close code, duration.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol
from urllib.parse import unquote_plus

from .asgi_types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

CLOSE_NORMAL: Final = 1000
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
    close_code: int | None = None
    closed_by_gate: bool = field(default=False)


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
    ) -> None:
        self.app = app
        self.routes = routes
        self.admission = admission
        allowed = list(origins)
        self.any_origin = "*" in allowed
        self.origins = frozenset(origin.encode("latin-1") for origin in allowed)
        self.recheck_interval_s = recheck_interval_s
        self._open: set[_OpenSocket] = set()
        self._rechecks: asyncio.Task[None] | None = None

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not a coroutine of its own: an HTTP request costs this comparison, no extra frame while it is served.
        if scope["type"] != "websocket":
            return self.app(scope, receive, send)
        return self.serve(scope, receive, send)

    def open_sockets(self) -> int:
        return len(self._open)

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
            admitted = await self.admission(scope, _credentials(offered, authorization), access)
        except Refused as refusal:
            return await self._refuse_after_accept(
                scope, receive, send, started=started, access=access, subprotocol=subprotocol, refusal=refusal
            )
        socket = _OpenSocket(admitted, asyncio.current_task())
        self._open.add(socket)
        if admitted.recheck is not None and self._rechecks is None:
            self._rechecks = asyncio.create_task(self._recheck_while_open(), name="websocket-rechecks")

        async def receive_recorded() -> Message:
            message = await receive()
            if message["type"] == "websocket.disconnect" and socket.close_code is None:
                socket.close_code = message.get("code", CLOSE_NORMAL)
            return message

        async def send_recorded(message: Message) -> None:
            kind = message["type"]
            if kind == "websocket.accept" and subprotocol is not None and message.get("subprotocol") is None:
                message = {**message, "subprotocol": subprotocol}  # browsers close a socket that is not answered so
            elif kind == "websocket.close" and socket.close_code is None:
                socket.close_code = message.get("code", CLOSE_NORMAL)
            await send(message)

        try:
            await self.app(scope, receive_recorded, send_recorded)
        except asyncio.CancelledError:
            # The gate's own cancellation (`_recheck`) ends the route, then the socket, from the connection's own
            # task (a server may serialise a connection's sends with its pending receive); the server's (its
            # shutdown) goes on.
            if not socket.closed_by_gate or socket.task is None or socket.task.uncancel() > 0:
                raise
            with contextlib.suppress(Exception):  # the client may be gone already
                await send({"type": "websocket.close", "code": socket.close_code, "reason": ""})
        finally:
            self._open.discard(socket)
            _log_connection(scope, access, admitted.subject, socket.close_code, started)

    async def _refuse_handshake(
        self, scope: Scope, send: Send, started: float, access: SocketAccess | None, reason: str
    ) -> None:
        # Closed before it was accepted: the server answers the handshake with HTTP 403.
        await send({"type": "websocket.close", "code": 1008})
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
        _log_connection(scope, access, None, refusal.code, started, refused=refusal.reason)

    async def _recheck_while_open(self) -> None:
        try:
            while self._open:
                await asyncio.sleep(self.recheck_interval_s)
                for socket in list(self._open):
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
            if socket in self._open and socket.task is not None:
                # The route stops whatever it awaits (a receive, or something to send), then `serve` closes the
                # socket: some servers (granian) close a connection only once its application returns.
                socket.closed_by_gate = True
                socket.close_code = refusal.code
                socket.task.cancel()
        except Exception:  # a check that fails is no reason to stop checking the others
            logger.exception("WebSocket token recheck failed")


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
