"""Request ids: accept a well-formed caller id, otherwise mint a UUID4; echo it and expose it to the request."""

from __future__ import annotations

import os
import re
from typing import Final

from ..asgi_types import ASGIApp, Message, Receive, Scope, Send
from ..request_context import RESPONSE_HEADERS_KEY, request_id_var

_VALID_ID: Final = re.compile(rb"[A-Za-z0-9._-]{1,128}")
_REQUEST_ID: Final = b"x-request-id"
_CORRELATION_ID: Final = b"x-correlation-id"
# RFC 9562 variant: the top two bits of the 17th hex digit are 0b10, so that digit is one of 8, 9, a, b.
_VARIANT_DIGIT: Final = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def new_request_id() -> str:
    """What `str(uuid.uuid4())` returns (same 122 random bits from os.urandom, same text), without a UUID object:
    the id is minted on every request that arrives without one, and this is three times cheaper."""
    digits = os.urandom(16).hex()
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{_VARIANT_DIGIT[digits[16]]}{digits[17:20]}-{digits[20:]}"


def incoming_request_id(headers: list[tuple[bytes, bytes]]) -> str:
    """The caller's X-Request-ID, else its X-Correlation-ID, when well-formed; otherwise a new UUID4."""
    request_id = correlation_id = None
    for name, value in headers:
        if name == _REQUEST_ID:
            request_id = value
        elif name == _CORRELATION_ID:
            correlation_id = value
    for candidate in (request_id, correlation_id):
        if candidate is not None and _VALID_ID.fullmatch(candidate):
            return candidate.decode("ascii")
    return new_request_id()


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # On the coroutine chain (see the package's docstring): the id is reset once the request is over, or a
        # caller that runs the app in its own context (a test client, a framework's sync bridge) would keep it.
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = incoming_request_id(scope["headers"])
        encoded = request_id.encode("ascii")
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", ()),
                    (_REQUEST_ID, encoded),
                    (_CORRELATION_ID, encoded),
                ]
            await send(message)

        added = scope.get(RESPONSE_HEADERS_KEY)
        if added is not None:  # the security headers layer sends them with its own
            added.extend(((_REQUEST_ID, encoded), (_CORRELATION_ID, encoded)))
        token = request_id_var.set(request_id)
        try:
            await self.app(scope, receive, send if added is not None else send_with_id)
        finally:
            request_id_var.reset(token)
