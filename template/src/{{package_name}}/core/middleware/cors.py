"""CORS from settings, as pure ASGI around the web framework: an allowed origin gets the CORS headers, a disallowed one
none, and a refused preflight a problem+json 400.

The answer depends on the request's Origin, so every response says `Vary: Origin` (a shared cache must not hand
one origin's answer to another). `*` with credentials is refused here as in the settings: a browser would send
cookies to every website's requests, so no origin is ever echoed for `*`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Final

from ..asgi_types import ASGIApp, Message, Receive, Scope, Send
from ..problems import send_problem

_ORIGIN: Final = b"origin"
_VARY: Final = b"vary"
_VARY_ORIGIN: Final = (_VARY, b"Origin")
# Request headers a browser may always send without asking (CORS "safelisted" headers).
_SAFELISTED_HEADERS: Final = frozenset({"accept", "accept-language", "content-language", "content-type"})
_METHODS: Final = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
ALLOWED_HEADERS: Final = ("Authorization", "Content-Type", "X-Request-ID", "X-Correlation-ID")
"""Request headers the service's browser clients may send cross-origin."""
EXPOSED_HEADERS: Final = (
    "X-Request-ID",
    "X-Correlation-ID",
    "Server-Timing",
    "Location",
    "Retry-After",
    # A retiring API version's notice (core/api_versions.py): a browser client can warn its developers too.
    "Deprecation",
    "Sunset",
    "Link",
)
"""Response headers their code may read (integrations add theirs, e.g. `X-RateLimit-*`)."""


class CORSMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        allow_origins: Sequence[str],
        allow_credentials: bool = False,
        allow_methods: Sequence[str] = _METHODS,
        allow_headers: Sequence[str] = ALLOWED_HEADERS,
        expose_headers: Sequence[str] = EXPOSED_HEADERS,
        max_age: int = 600,
    ) -> None:
        if "*" in allow_origins and allow_credentials:
            raise ValueError("CORS with '*' and credentials would let every website make credentialed requests")
        self.app = app
        self.allow_all = "*" in allow_origins
        self.origins = frozenset(allow_origins)
        self.methods = frozenset(method.upper() for method in allow_methods)
        self.headers = frozenset(header.lower() for header in allow_headers) | _SAFELISTED_HEADERS
        credentials = [(b"access-control-allow-credentials", b"true")] if allow_credentials else []
        self._simple_headers = [*credentials]
        if expose_headers:
            self._simple_headers.append((b"access-control-expose-headers", ", ".join(expose_headers).encode()))
        self._preflight_headers = [
            *credentials,
            (b"access-control-allow-methods", ", ".join(sorted(self.methods)).encode("latin-1")),
            (b"access-control-allow-headers", ", ".join(sorted(self.headers)).encode("latin-1")),
            (b"access-control-max-age", str(max_age).encode("latin-1")),
        ]

    def _allowed(self, origin: bytes) -> bool:
        return self.allow_all or origin.decode("latin-1") in self.origins

    def _origin_header(self, origin: bytes) -> tuple[bytes, bytes]:
        # Only reached for an allowed origin; with `*` (never with credentials) the answer is the same for all.
        return (b"access-control-allow-origin", b"*" if self.allow_all else origin)

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not on the coroutine chain while the request waits: see the package's docstring.
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        origin = None
        for name, value in scope["headers"]:
            if name == _ORIGIN:
                origin = value
                break
        if origin is None or not self._allowed(origin):
            # Not a CORS request (most traffic) or a refused origin: no CORS headers, only `Vary: Origin`.
            if origin is not None and scope["method"] == "OPTIONS" and self._is_preflight(scope):
                return self._refuse(scope, send, "Disallowed CORS origin")
            return self.app(scope, receive, self._adding(send, []))
        if scope["method"] == "OPTIONS" and self._is_preflight(scope):
            return self._preflight(scope, send, origin)
        return self.app(scope, receive, self._adding(send, [self._origin_header(origin), *self._simple_headers]))

    def _adding(self, send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                headers.extend(extra)
                _vary_on_origin(headers)
                message["headers"] = headers
            await send(message)

        return send_with_cors

    @staticmethod
    def _is_preflight(scope: Scope) -> bool:
        return any(name == b"access-control-request-method" for name, _ in scope["headers"])

    async def _preflight(self, scope: Scope, send: Send, origin: bytes) -> None:
        headers = dict(scope["headers"])
        method = headers[b"access-control-request-method"].decode("latin-1").upper()
        requested = headers.get(b"access-control-request-headers", b"").decode("latin-1")
        asked = {name.strip().lower() for name in requested.split(",") if name.strip()}
        if method not in self.methods:
            await self._refuse(scope, send, "Disallowed CORS method")
            return
        if not asked <= self.headers:
            await self._refuse(scope, send, "Disallowed CORS headers")
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    self._origin_header(origin),
                    *self._preflight_headers,
                    _VARY_ORIGIN,
                    (b"content-length", b"0"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    async def _refuse(self, scope: Scope, send: Send, detail: str) -> None:
        await send_problem(send, 400, detail, scope["path"], headers=[_VARY_ORIGIN])


def _vary_on_origin(headers: list[tuple[bytes, bytes]]) -> None:
    """Add Origin to the response's Vary header (merged into one that is already there)."""
    for index, (name, value) in enumerate(headers):
        if name.lower() == _VARY:
            if b"origin" not in value.lower() and value.strip() != b"*":
                headers[index] = (name, value + b", Origin")
            return
    headers.append(_VARY_ORIGIN)
