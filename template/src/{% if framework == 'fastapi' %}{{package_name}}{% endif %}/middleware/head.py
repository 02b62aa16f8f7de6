"""`HEAD` wherever `GET` works: FastAPI routes answer GET only, so HEAD is routed as GET.

The HTTP server drops the body of a response to HEAD by itself, from its own copy of the method.
"""

from __future__ import annotations

from collections.abc import Awaitable

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGetMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not on the coroutine chain of a GET (see core/middleware/__init__.py): only a HEAD has work once it ends.
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return self.app(scope, receive, send)
        return self._as_get(scope, receive, send)

    async def _as_get(self, scope: Scope, receive: Receive, send: Send) -> None:
        as_get = {**scope, "method": "GET"}

        def copy_route() -> None:
            # Outer layers read the matched route (logs, metrics) from the original scope.
            if "route" in as_get:
                scope["route"] = as_get["route"]

        async def send_with_route(message: Message) -> None:
            if message["type"] == "http.response.start":
                copy_route()  # the telemetry layer records the request before the last body chunk leaves
            await send(message)

        try:
            await self.app(as_get, receive, send_with_route)
        finally:
            copy_route()
