"""Adds the X-RateLimit-* headers a limiter decided on to whatever response the route produced (pure ASGI)."""

from __future__ import annotations

from collections.abc import Awaitable

from ...core.asgi_types import ASGIApp, Message, Receive, Scope, Send
from ...core.limits import Verdict, tightest
from .limiter import HEADERS_SCOPE_KEY


class RateLimitHeadersMiddleware:
    """Innermost middleware: it sees the route's own errors (404, 422) as responses and adds the headers there too.

    When several limits apply (the default and a stricter per-route one), the headers describe the tightest.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not on the coroutine chain while the request waits: see core/middleware/__init__.py.
        if scope["type"] != "http":
            return self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                verdicts: dict[str, Verdict] | None = scope.get(HEADERS_SCOPE_KEY)
                if verdicts:
                    message["headers"] = [*message.get("headers", []), *tightest(verdicts).headers()]
            await send(message)

        return self.app(scope, receive, send_with_headers)
