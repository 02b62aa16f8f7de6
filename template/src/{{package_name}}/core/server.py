"""uvicorn with production-safe options, (the service's `server.py` brings the app).

- Readiness turns 503 the moment a stop signal arrives, before connections drain.
- Ctrl-C stops the server like SIGTERM does, without a `KeyboardInterrupt` traceback.
- No `Server` header, no uvicorn access log (the service writes its own), X-Forwarded-For only from
  FORWARDED_ALLOW_IPS, a bounded graceful shutdown.
- The request line and headers are bounded (`MAX_REQUEST_HEAD_BYTES`): a client sending megabytes of headers gets
  a 431 and the connection is closed, instead of the server buffering it all while other requests wait.
"""

from __future__ import annotations

import logging
from types import FrameType
from typing import Any, Final

import uvicorn

from .asgi_types import ASGIApp
from .database import FALLBACK_MESSAGE
from .lifecycle import ServiceState
from .problems import PROBLEM_MEDIA_TYPE, problem_body
from .request_context import SERVER_ANSWER_STATE_KEY
from .settings import ServiceSettings

MAX_REQUEST_HEAD_BYTES: Final = 64 * 1024
"""Largest request line plus headers accepted, in bytes (browsers and proxies stay far below; nginx allows 32 KB)."""

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
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

        def data_received(self, data: bytes) -> None:
            if self._in_head:
                self._head_bytes += len(data)
            super().data_received(data)
            if self._in_head and self._head_bytes > MAX_REQUEST_HEAD_BYTES:
                self._refuse_head()

        def on_message_begin(self) -> None:
            self._parsed_head_bytes, self._head_too_large = 0, False
            super().on_message_begin()

        def on_url(self, url: bytes) -> None:
            self._count_parsed_head(len(url))
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._count_parsed_head(len(name) + len(value) + 4)  # ": " and CRLF
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            self._in_head = False
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self._in_head, self._head_bytes = True, 0
            super().on_message_complete()

        def send_400_response(self, msg: str) -> None:
            if self._head_too_large:  # the parser stopped on `_HeadTooLargeError`: not a malformed request
                self._refuse_head()
                return
            if self.cycle is not None and not self.cycle.response_started:
                # The application is running (a malformed body): the client gets this 400, not what it answers.
                self.scope.setdefault("state", {})[SERVER_ANSWER_STATE_KEY] = 400
            super().send_400_response(msg)

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
    """uvicorn, plus: readiness turns 503 the moment a stop signal arrives, before connections drain."""

    def __init__(self, config: uvicorn.Config, state: ServiceState) -> None:
        super().__init__(config)
        self.service_state = state

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.service_state.begin_shutdown()
        super().handle_exit(sig, frame)


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
