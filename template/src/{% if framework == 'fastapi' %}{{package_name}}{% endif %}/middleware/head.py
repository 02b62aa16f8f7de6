"""`HEAD` wherever `GET` works: FastAPI routes answer GET only, so HEAD is routed as GET.

The server (uvicorn) drops the body of a response to HEAD by itself, from its own copy of the method.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGetMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
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
