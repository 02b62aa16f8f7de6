"""The last line of defence: an exception nobody handled becomes a problem+json 500, logged with its trace."""

from __future__ import annotations

import logging

from ..asgi_types import ASGIApp, Message, Receive, Scope, Send
from ..problems import send_problem

logger = logging.getLogger(__name__)

_PUBLIC_DETAIL = "The server failed to handle the request; quote the request id when reporting it"


class UnhandledErrorMiddleware:
    """Sits inside the header/id/log middleware so the 500 it writes carries all of them.

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
        response_started = False

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            logger.exception("Unhandled error while serving %s %s", scope["method"], scope["path"])
            if response_started:
                # Headers are gone: the only honest signal left is to drop the connection.
                raise
            detail = f"{type(exc).__name__}: {exc}" if self.expose_errors else _PUBLIC_DETAIL
            await send_problem(send, 500, detail, scope["path"])
