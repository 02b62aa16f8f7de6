"""uvicorn with production-safe options, (the service's `server.py` brings the app).

- Readiness turns 503 the moment a stop signal arrives, before connections drain.
- Ctrl-C stops the server like SIGTERM does, without a `KeyboardInterrupt` traceback.
- No `Server` header, no uvicorn access log (the service writes its own), X-Forwarded-For only from
  FORWARDED_ALLOW_IPS, a bounded graceful shutdown.
- The request line and headers are bounded (`MAX_REQUEST_HEAD_BYTES`): a client sending megabytes of headers gets
  a 431 and the connection is closed, instead of the server buffering it all while other requests wait.
- A request the HTTP parser refuses (an unknown method, a negative Content-Length, a folded header) is answered by
  the service's own layers: a 400 problem with the security headers, a request id and an access line.
- A stop signal loses no request a client has already sent: connections waiting to be accepted are accepted, and a
  request sent but not yet read is read and served (then the connection closes). Requests still running when
  GRACEFUL_TIMEOUT ends are cancelled and answer 503 (`core/middleware/errors.py`) before the process exits.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
from types import FrameType
from typing import Any, Final

import uvicorn

from .asgi_types import ASGIApp
from .database import FALLBACK_MESSAGE
from .lifecycle import ServiceState
from .problems import PROBLEM_MEDIA_TYPE, problem_body
from .request_context import MALFORMED_REQUEST_STATE_KEY, SERVER_ANSWER_STATE_KEY
from .settings import ServiceSettings

MAX_REQUEST_HEAD_BYTES: Final = 64 * 1024
"""Largest request line plus headers accepted, in bytes (browsers and proxies stay far below; nginx allows 32 KB)."""

CANCELLED_REQUESTS_GRACE_S: Final = 1.0
"""Once GRACEFUL_TIMEOUT has ended and the requests still running are cancelled, how long they get to send their
503 before the process exits (answering takes a few milliseconds; the bound covers a task that never ends)."""
_RECANCEL_INTERVAL_S: Final = 0.1

try:
    import httptools
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle
except ImportError:  # pragma: no cover - httptools is a dependency; without it uvicorn uses h11, bounded below
    HTTP_PROTOCOL: type | str = "h11"
else:

    class _HeadTooLargeError(Exception):
        """Raised from a parser callback: httptools stops parsing and uvicorn answers (see `send_400_response`)."""

    class BoundedHttpToolsProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol with a bound on the request head (httptools has none of its own).

        Two counts, because a head arrives in many reads or in one: the bytes read from the start of a request
        until its headers are complete (a huge header trickling in costs at most the bound plus one read), and the
        request line and headers as the parser hands them over (a whole oversized head in one read is refused
        before the request reaches the application). Past the bound the server answers 431 and closes.
        """

        _head_bytes = 0
        _in_head = True
        _parsed_head_bytes = 0
        _head_too_large = False
        _refused = False  # a malformed request was answered: what else the client sends is read and dropped
        _reading_request = False  # a request has begun to arrive and is not yet handed to the application
        _close_after_request = False  # the server is stopping: serve the request already sent, then close

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            if self._in_head:
                self._head_bytes += len(data)
            super().data_received(data)
            if self._in_head and self._head_bytes > MAX_REQUEST_HEAD_BYTES:
                self._refuse_head()

        def on_message_begin(self) -> None:
            self._parsed_head_bytes, self._head_too_large, self._reading_request = 0, False, True
            super().on_message_begin()

        def on_url(self, url: bytes) -> None:
            self._count_parsed_head(len(url))
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._count_parsed_head(len(name) + len(value) + 4)  # ": " and CRLF
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            self._in_head, self._reading_request = False, False
            super().on_headers_complete()
            if self._close_after_request and self.cycle is not None:
                self.cycle.keep_alive = False

        def on_message_complete(self) -> None:
            self._in_head, self._head_bytes = True, 0
            super().on_message_complete()

        def send_400_response(self, msg: str) -> None:
            if self._head_too_large:  # the parser stopped on `_HeadTooLargeError`: not a malformed request
                self._refuse_head()
                return
            if (self.cycle is not None and not self.cycle.response_complete) or self.pipeline:
                # The application is running (a malformed body): the client gets this 400, not what it answers.
                if self.cycle is not None and not self.cycle.response_started:
                    self.scope.setdefault("state", {})[SERVER_ANSWER_STATE_KEY] = 400
                super().send_400_response(msg)
                return
            self._answer_malformed_request(sys.exc_info()[1])

        def shutdown(self) -> None:
            """uvicorn closes a connection without a running request at once: also one whose request the client
            has sent but the server has not read yet (a busy event loop). That request is read and served first."""
            idle = self.cycle is None or self.cycle.response_complete
            if idle and (self._reading_request or self._request_waiting()):
                self._close_after_request = True
                return
            super().shutdown()

        def _request_waiting(self) -> bool:
            """Whether the client has sent bytes the server has not read yet."""
            transport_socket = self.transport.get_extra_info("socket")
            if transport_socket is None:  # pragma: no cover - TCP transports always have one
                return False
            peek = socket.socket(fileno=transport_socket.fileno())  # shares the descriptor, detached below
            try:
                return bool(peek.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
            except OSError:  # nothing to read yet (BlockingIOError), or the connection is gone
                return False
            finally:
                peek.detach()

        def _answer_malformed_request(self, error: BaseException | None) -> None:
            """Run the request through the application's layers with a mark the errors layer answers with a 400
            problem (`core/middleware/errors.py`): security headers, request id, access line and metrics as for
            any other request. The connection closes after it; the rest of what the client sends is dropped."""
            self._refused = True
            reason = str(error) if isinstance(error, httptools.HttpParserError) and str(error) else "malformed"
            begun = self._reading_request  # the parser reported this request's start: its line and headers so far
            method_known = begun and not isinstance(error, httptools.HttpParserInvalidMethodError)
            scope: Any = {
                "type": "http",
                "asgi": {"version": "3.0", "spec_version": "2.3"},
                "http_version": "1.1",
                "server": self.server,
                "client": self.client,
                "scheme": self.scheme,
                "root_path": self.root_path,
                "method": self.parser.get_method().decode("ascii", "replace") if method_known else "-",
                "path": _request_path(self.url) if begun else "",
                "raw_path": b"",
                "query_string": b"",
                "headers": list(self.headers) if begun else [],
                "state": {**self.app_state, MALFORMED_REQUEST_STATE_KEY: f"The request is not valid HTTP ({reason})"},
            }
            self.cycle = RequestResponseCycle(
                scope=scope,
                transport=self.transport,
                flow=self.flow,
                logger=self.logger,
                access_logger=self.access_logger,
                access_log=self.access_log,
                default_headers=self.server_state.default_headers,
                message_event=asyncio.Event(),
                expect_100_continue=False,
                keep_alive=False,
                on_response=self.on_response_complete,
            )
            self._start_asgi_task(self.cycle, self.app)

        def _count_parsed_head(self, size: int) -> None:
            self._parsed_head_bytes += size
            if self._parsed_head_bytes > MAX_REQUEST_HEAD_BYTES:
                self._head_too_large = True
                raise _HeadTooLargeError

        def _refuse_head(self) -> None:
            if not self.transport.is_closing():
                self.transport.write(_HEAD_TOO_LARGE)
                self.transport.close()

    HTTP_PROTOCOL = BoundedHttpToolsProtocol

    def _request_path(url: bytes) -> str:
        """The path of a request the parser refused, when its request line was read (for the access line)."""
        try:
            return httptools.parse_url(url).path.decode("ascii") if url else ""
        except (httptools.HttpParserInvalidURLError, UnicodeDecodeError):
            return ""


def _head_too_large_response() -> bytes:
    body = problem_body(
        431, f"The request line and headers exceed the limit of {MAX_REQUEST_HEAD_BYTES} bytes", "", request_id=None
    )
    head = (
        "HTTP/1.1 431 Request Header Fields Too Large\r\n"
        f"content-type: {PROBLEM_MEDIA_TYPE}\r\n"
        f"content-length: {len(body)}\r\n"
        "x-content-type-options: nosniff\r\n"
        "cache-control: no-store, max-age=0\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


_HEAD_TOO_LARGE: Final = _head_too_large_response()


class Server(uvicorn.Server):
    """uvicorn, plus: readiness turns 503 the moment a stop signal arrives, before connections drain; the shutdown
    takes in the connections still waiting to be accepted, and gives the requests it cancels time to answer."""

    def __init__(self, config: uvicorn.Config, state: ServiceState) -> None:
        super().__init__(config)
        self.service_state = state

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.service_state.begin_shutdown()
        super().handle_exit(sig, frame)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await self._accept_waiting_connections()
        await super().shutdown(sockets)
        await self._let_cancelled_requests_answer()

    async def _let_cancelled_requests_answer(self) -> None:
        """Requests still running when GRACEFUL_TIMEOUT ended were cancelled: each answers 503 (errors.py) once the
        cancellation reaches it, if the process lets it run a moment longer (its cleanup may await the database).
        Some code holds a cancellation back until it is done: Django waits for a sync view's thread (a query behind
        a lock, say) before letting it through. Cancelled again, it lets go, and the request answers at once."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CANCELLED_REQUESTS_GRACE_S
        while self.server_state.tasks and (remaining := deadline - loop.time()) > 0:
            _, held = await asyncio.wait(set(self.server_state.tasks), timeout=min(_RECANCEL_INTERVAL_S, remaining))
            for task in held:
                task.cancel()

    async def _accept_waiting_connections(self) -> None:
        """Connections the kernel has accepted but the event loop has not (a burst, a busy loop) carry requests
        their clients consider sent: closing the listening socket would reset them. Take them in first."""
        loop = asyncio.get_running_loop()

        def protocol() -> asyncio.Protocol:
            return self.config.http_protocol_class(  # type: ignore[call-arg] # as uvicorn's `startup` builds it
                config=self.config, server_state=self.server_state, app_state=self.lifespan.state
            )

        for server in getattr(self, "servers", []):
            for transport_socket in server.sockets:
                listener = socket.socket(fileno=transport_socket.fileno())  # shares the descriptor
                try:
                    while True:
                        try:
                            connection, _ = listener.accept()
                        except OSError:  # none left (BlockingIOError)
                            break
                        connection.setblocking(False)
                        await loop.connect_accepted_socket(protocol, connection, ssl=self.config.ssl)
                finally:
                    listener.detach()


def server_options(settings: ServiceSettings) -> dict[str, Any]:
    """uvicorn's options for this service, for `uvicorn.Config` and for `uvicorn.run` (the development server)."""
    return {
        "host": settings.host,
        "port": settings.port,
        "http": HTTP_PROTOCOL,
        "h11_max_incomplete_event_size": MAX_REQUEST_HEAD_BYTES,  # the same bound when uvicorn runs on h11
        # Client addresses come from X-Forwarded-For only when the peer is a trusted proxy.
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "server_header": False,
        "access_log": False,  # the service writes its own access line, with the request id
        "log_config": None,  # logging is configured by `configure_logging`
        "timeout_graceful_shutdown": settings.graceful_timeout,
        "lifespan": "on",
    }


def server_config(app: ASGIApp, settings: ServiceSettings) -> uvicorn.Config:
    return uvicorn.Config(app, **server_options(settings))


def serve(app: ASGIApp, state: ServiceState, settings: ServiceSettings) -> int:
    """Serve until a stop signal; the exit status of the process."""
    if settings.database.is_fallback:
        logging.getLogger(__name__).warning(FALLBACK_MESSAGE)
    try:
        Server(server_config(app, settings), state).run()
    except KeyboardInterrupt:
        # uvicorn re-raises a caught SIGINT once it has shut down gracefully; Ctrl-C is how people stop it.
        return 130
    return 0
