"""CORS from settings, as pure ASGI: allowed origins get the CORS headers, refused preflights a problem+json 400.

(The FastAPI variant uses Starlette's CORSMiddleware; this one keeps its semantics without depending on Starlette.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from ..core.asgi_types import ASGIApp, Message, Receive, Scope, Send
from ..problems import send_problem

_ORIGIN: Final = b"origin"
# Request headers a browser may always send without asking (CORS "safelisted" headers).
_SAFELISTED_HEADERS: Final = frozenset({"accept", "accept-language", "content-language", "content-type"})


class CORSMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        allow_origins: Sequence[str],
        allow_credentials: bool,
        allow_methods: Sequence[str],
        allow_headers: Sequence[str],
        expose_headers: Sequence[str],
        max_age: int,
    ) -> None:
        self.app = app
        self.allow_all = "*" in allow_origins
        self.origins = frozenset(allow_origins)
        self.credentials = allow_credentials
        self.methods = frozenset(method.upper() for method in allow_methods)
        self.headers = frozenset(header.lower() for header in allow_headers) | _SAFELISTED_HEADERS
        credentials = [(b"access-control-allow-credentials", b"true")] if allow_credentials else []
        self._simple_headers = [
            *credentials,
            (b"access-control-expose-headers", ", ".join(expose_headers).encode("latin-1")),
        ]
        self._preflight_headers = [
            *credentials,
            (b"access-control-allow-methods", ", ".join(sorted(self.methods)).encode("latin-1")),
            (b"access-control-allow-headers", ", ".join(sorted(self.headers)).encode("latin-1")),
            (b"access-control-max-age", str(max_age).encode("latin-1")),
        ]

    def _allowed(self, origin: str) -> bool:
        return self.allow_all or origin in self.origins

    def _origin_headers(self, origin: str) -> list[tuple[bytes, bytes]]:
        if self.allow_all and not self.credentials:
            return [(b"access-control-allow-origin", b"*")]
        # The answer depends on the Origin header: caches must key on it.
        return [(b"access-control-allow-origin", origin.encode("latin-1")), (b"vary", b"Origin")]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _ORIGIN not in {name for name, _ in scope["headers"]}:
            # Not a CORS request (most traffic): nothing to add, no need to index the request headers.
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        origin = headers[_ORIGIN].decode("latin-1")
        if scope["method"] == "OPTIONS" and b"access-control-request-method" in headers:
            await self._preflight(scope, send, origin, headers)
            return
        if not self._allowed(origin):
            await self.app(scope, receive, send)
            return
        extra = self._origin_headers(origin) + self._simple_headers

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, scope: Scope, send: Send, origin: str, headers: dict[bytes, bytes]) -> None:
        method = headers[b"access-control-request-method"].decode("latin-1").upper()
        requested = headers.get(b"access-control-request-headers", b"").decode("latin-1")
        asked = {name.strip().lower() for name in requested.split(",") if name.strip()}
        problem = None
        if not self._allowed(origin):
            problem = "Disallowed CORS origin"
        elif method not in self.methods:
            problem = "Disallowed CORS method"
        elif not asked <= self.headers:
            problem = "Disallowed CORS headers"
        if problem is not None:
            await send_problem(send, 400, problem, scope["path"])
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [*self._origin_headers(origin), *self._preflight_headers, (b"content-length", b"0")],
            }
        )
        await send({"type": "http.response.body", "body": b""})
