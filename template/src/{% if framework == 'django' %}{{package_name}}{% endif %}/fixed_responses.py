"""Views whose answer never changes (liveness), replayed from memory instead of rebuilt for every request.

`/health/live` is called by every orchestrator every few seconds and by every load balancer's probe. Through Django
it costs a thread hand-off (the view is synchronous), an `HttpRequest`, the URL resolver, the middleware, DRF's
request, negotiation and renderer: more than everything else of the request together. `FixedResponseMiddleware`
sits innermost, right around Django: the first `GET` (and the first `HEAD`) of such a path goes through Django as
usual, the layer remembers the status, headers and body Django sent, and replays them from then on. The URL stays in
`urls.py` and in the OpenAPI document; the layers outside (security headers, request id, timing, access line,
metrics) run for every request as before, and the matched route is left in the scope as Django's side would.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from django.urls import get_script_prefix, resolve, reverse

from .core.asgi_types import ASGIApp, Message, Receive, Scope, Send
from .core.middleware.telemetry import ROUTE_KEY
from .middleware.django import route_template

Answer = tuple[Message, Message]
"""Django's `http.response.start` and its one `http.response.body`, as sent."""

REPLAYED_METHODS: Final = frozenset({"GET", "HEAD"})
"""Any other method goes to Django every time (its 405 problem names the request id)."""
_BODY_HEADERS: Final = (b"content-length", b"transfer-encoding")


class FixedResponseMiddleware:
    """Replays Django's first complete 200 for each named URL (`urls.py`'s `name=`) and method."""

    def __init__(self, app: ASGIApp, *, url_names: Iterable[str]) -> None:
        self.app = app
        # The path as ASGI servers put it in the scope: without the prefix Django keeps from the last `root_path`.
        paths = ("/" + reverse(name).removeprefix(get_script_prefix()) for name in url_names)
        self.routes: dict[str, str] = {path: route_template(resolve(path).route) for path in paths}
        self.answers: dict[tuple[str, str], Answer] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (path := scope["path"]) not in self.routes:
            await self.app(scope, receive, send)
            return
        answer = self.answers.get((path, scope["method"]))
        if answer is None or scope.get("root_path") or _announces_body(scope):
            await self._answer_and_remember(scope, receive, send)
            return
        scope[ROUTE_KEY] = self.routes[path]
        start, body = answer
        # New messages and a new header list for each response: the layers outside add to what they are given.
        await send({**start, "headers": list(start["headers"])})
        await send({**body})

    async def _answer_and_remember(self, scope: Scope, receive: Receive, send: Send) -> None:
        sent: list[Message] = []

        async def remember(message: Message) -> None:
            # A copy, taken before the layers outside add their per-request headers to the message.
            sent.append({**message, "headers": list(message["headers"])} if "headers" in message else {**message})
            await send(message)

        await self.app(scope, receive, remember)
        method = scope["method"]
        # Only a complete 200 in one body message, to a request Django read as nothing but its method and path, is
        # remembered: an error is answered again next time.
        if (
            method in REPLAYED_METHODS
            and not scope.get("root_path")
            and not _announces_body(scope)
            and len(sent) == 2
            and sent[0]["status"] == 200
            and not sent[1].get("more_body")
        ):
            self.answers.setdefault((scope["path"], method), (sent[0], sent[1]))


def _announces_body(scope: Scope) -> bool:
    """A request with a body goes to Django, which reads it (and the body limit refuses one too large)."""
    return any(name in _BODY_HEADERS for name, _ in scope["headers"])
