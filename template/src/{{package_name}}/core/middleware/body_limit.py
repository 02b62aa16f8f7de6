"""Refuse request bodies over the configured size with a 413, whether declared up front or streamed (chunked).

A streamed body that grows past the limit is cut off by telling the application the client went away: every
framework then stops reading (it drops its spooled copy or raises a disconnect error) and whatever it tries to
answer is dropped; this layer sends the 413 instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping

from ..asgi_types import ASGIApp, Message, Receive, Scope, Send
from ..problems import send_problem

# In HTTP/1.x a request without Content-Length or Transfer-Encoding has no body; an HTTP/2 request may stream one.
_HEADERS_DECLARE_BODIES = frozenset({"1.0", "1.1"})


def _detail(limit: int) -> str:
    return f"The request body exceeds the limit of {limit} bytes"


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_size: int, larger_bodies: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_body_size = max_body_size
        # The paths that take larger bodies (a file upload), each with its own limit: looked up only when any exist.
        self.larger_bodies = dict(larger_bodies or {})
        self.detail = _detail(max_body_size)  # built once, not per request

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not on the coroutine chain while a request without a body waits: see the package's docstring.
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        limit = self.max_body_size
        if self.larger_bodies:
            limit = self.larger_bodies.get(scope["path"], limit)
        has_body = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit() or int(value) > limit:
                    return send_problem(send, 413, self._detail_for(limit), scope["path"])
                has_body = True
            elif name == b"transfer-encoding":
                has_body = True
        if not has_body and scope.get("http_version") in _HEADERS_DECLARE_BODIES:
            return self.app(scope, receive, send)  # no body to count (a GET): nothing to do once the app returns
        return self._counting(scope, receive, send, limit)

    def _detail_for(self, limit: int) -> str:
        return self.detail if limit == self.max_body_size else _detail(limit)

    async def _counting(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """A body that may grow past the limit: counted as it arrives, cut off, and answered 413."""
        received = 0
        too_large = response_started = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            if too_large:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if too_large and not response_started:
                return  # the application's answer to a body it never got whole; the 413 replaces it
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not too_large or response_started:
                raise
        if too_large and not response_started:
            await send_problem(send, 413, self._detail_for(limit), scope["path"])
