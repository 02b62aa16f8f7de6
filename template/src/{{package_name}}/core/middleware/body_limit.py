"""Refuse request bodies over the configured size with a 413, whether declared up front or streamed (chunked).

A streamed body that grows past the limit is cut off by telling the application the client went away: every
framework then stops reading (it drops its spooled copy or raises a disconnect error) and whatever it tries to
answer is dropped; this layer sends the 413 instead.
"""

from __future__ import annotations

from ..asgi_types import ASGIApp, Message, Receive, Scope, Send
from ..problems import send_problem


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_size: int) -> None:
        self.app = app
        self.max_body_size = max_body_size
        self.detail = f"The request body exceeds the limit of {max_body_size} bytes"  # built once, not per request

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_size
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit() or int(value) > limit:
                    await send_problem(send, 413, self.detail, scope["path"])
                    return
                break

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
            await send_problem(send, 413, self.detail, scope["path"])
