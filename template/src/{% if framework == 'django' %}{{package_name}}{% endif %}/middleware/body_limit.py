"""Refuse request bodies over the configured size with a 413, whether declared up front or streamed."""

from __future__ import annotations

from ..asgi_types import ASGIApp, Message, Receive, Scope, Send

from ..problems import send_problem


class BodyTooLarge(Exception):  # noqa: N818 - it is the condition, not an error of the code
    """Raised from `receive` mid-stream. Django reads the whole body before it builds the request, so the
    exception leaves Django's ASGI handler untouched and this middleware answers it."""


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_size: int) -> None:
        self.app = app
        self.max_body_size = max_body_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_size
        detail = f"The request body exceeds the limit of {limit} bytes"
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit() or int(value) > limit:
                    await send_problem(send, 413, detail, scope["path"])
                    return
                break

        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(detail)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if response_started:
                raise
            await send_problem(send, 413, detail, scope["path"])
