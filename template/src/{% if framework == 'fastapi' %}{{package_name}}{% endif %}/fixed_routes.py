"""Routes whose answer never changes (liveness), replayed from memory instead of rebuilt for every request.

`/health/live` is called by every orchestrator every few seconds and by every load balancer's probe: FastAPI's
per-request machinery (request object, dependency solving, response validation and serialisation) costs more than
everything else of the request together. A `FixedResponseRoute` answers its first request the
usual way, remembers the status, headers and body it sent, and replays them from then on. It is documented in
OpenAPI like any route (the decorator's `response_model`, `responses`, `name` are unchanged); the middleware
(security headers, request id, timing, access line, metrics) runs for every request as before.
"""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute
from starlette.types import Message, Receive, Scope, Send

Headers = list[tuple[bytes, bytes]]


class FixedResponseRoute(APIRoute):
    """For an endpoint that takes nothing and always returns the same thing (refused at start otherwise)."""

    def __init__(self, path: str, endpoint: Any, **options: Any) -> None:
        super().__init__(path, endpoint, **options)
        dependant = self.dependant
        takes = [
            *dependant.dependencies,
            *dependant.path_params,
            *dependant.query_params,
            *dependant.header_params,
            *dependant.cookie_params,
            *dependant.body_params,
        ]
        if takes or dependant.request_param_name or dependant.response_param_name:
            raise TypeError(f"{self.path}: a FixedResponseRoute's endpoint takes no parameters and no dependencies")
        self._fixed: tuple[int, Headers, bytes] | None = None

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._fixed is None or scope["method"] not in (self.methods or ()):  # a 405 is answered as usual
            await self._handle_and_remember(scope, receive, send)
            return
        status, headers, body = self._fixed
        # A new list for each response: middleware may add to the headers of the message it is given.
        await send({"type": "http.response.start", "status": status, "headers": list(headers)})
        await send({"type": "http.response.body", "body": body})

    async def _handle_and_remember(self, scope: Scope, receive: Receive, send: Send) -> None:
        sent: list[Message] = []

        async def remember(message: Message) -> None:
            sent.append({**message, "headers": list(message.get("headers", ()))})
            await send(message)

        await super().handle(scope, receive, remember)
        # Only a complete 200 in one body message is remembered: an error is answered again next time.
        if self._fixed is None and len(sent) == 2 and sent[0]["status"] == 200 and not sent[1].get("more_body"):
            start, body = sent
            self._fixed = (start["status"], start["headers"], body.get("body", b""))
