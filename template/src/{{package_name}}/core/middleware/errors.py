"""The last line of defence: every request ends in a problem+json answer, whatever went wrong.

- An exception nobody handled becomes a 500, logged with its trace.
- A request still running when the graceful shutdown ends is cancelled by the server: it answers 503 (retry
  elsewhere) with `Connection: close`, instead of the server's bare 500 or no answer at all.
- A request the HTTP parser refused (`core/server.py` marks it) gets its 400 here, inside the header, id and
  telemetry layers, so it carries the security headers and the request id and has its access line.
"""

from __future__ import annotations

import asyncio
import logging

from ..asgi_types import ASGIApp, Message, Receive, Scope, Send
from ..problems import send_problem
from ..request_context import MALFORMED_REQUEST_STATE_KEY

logger = logging.getLogger(__name__)

_PUBLIC_DETAIL = "The server failed to handle the request; quote the request id when reporting it"
_STOPPED_DETAIL = "The service stopped before it could answer; retry the request"
_CLOSE = ((b"connection", b"close"),)


class UnhandledErrorMiddleware:
    """Sits inside the header/id/log middleware so the problems it writes carry all of them.

    Outside development the response never carries exception text or a trace: those go to the log (and to
    Sentry, which reads error logs) with the request id.
    """

    def __init__(self, app: ASGIApp, *, expose_errors: bool) -> None:
        self.app = app
        self.expose_errors = expose_errors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        malformed = scope.get("state", {}).get(MALFORMED_REQUEST_STATE_KEY)
        if malformed is not None:
            await send_problem(send, 400, malformed, scope["path"], _CLOSE)
            return
        response_started = False

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except asyncio.CancelledError:
            if response_started:
                raise
            # The server cancelled the request (GRACEFUL_TIMEOUT ended): answering ends this task as well.
            await _send_stopped_problem(scope, send)
            return
        except Exception as exc:
            if not response_started and _cancelled():
                # Cleanup code that failed while the request was being cancelled: still the shutdown's doing.
                await _send_stopped_problem(scope, send)
                return
            logger.exception("Unhandled error while serving %s %s", scope["method"], scope["path"])
            if response_started:
                # Headers are gone: the only honest signal left is to drop the connection.
                raise
            detail = f"{type(exc).__name__}: {exc}" if self.expose_errors else _PUBLIC_DETAIL
            await send_problem(send, 500, detail, scope["path"])
            return
        if not response_started and _cancelled():
            # Cancelled, and the framework swallowed the cancellation without answering.
            await _send_stopped_problem(scope, send)


def _cancelled() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def _send_stopped_problem(scope: Scope, send: Send) -> None:
    logger.warning("Cancelled at the end of the graceful shutdown: %s %s", scope["method"], scope["path"])
    await send_problem(send, 503, _STOPPED_DETAIL, scope["path"], _CLOSE)
