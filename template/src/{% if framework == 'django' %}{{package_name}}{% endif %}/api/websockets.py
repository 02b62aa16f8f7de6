"""WebSocket routes: `websocket_urlpatterns` in urls.py, written with Django's `path()` (its converters too), each
endpoint an `async def` taking a `WebSocket` (and the path's parameters) that declares who may connect:

    @requires("orders:read")  # a bearer token holding these scopes; `@requires()`: any valid token
    async def order_updates(websocket: WebSocket, order_id: int) -> None: ...

    @public  # anyone, without a token
    async def ticker(websocket: WebSocket) -> None: ...

An endpoint that declares neither is a `manage.py check` error, so the service refuses to start with it
(`check_websocket_declarations`). A connection reaches an endpoint only through the WebSocket gate
(core/websockets.py: the token, its scopes, the Origin, no token in the URL; the socket closed once its token is no
longer accepted); Django's HTTP handler never sees a WebSocket.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from importlib import import_module
from typing import Any, Final, cast

from django.conf import settings
from django.core import checks
from django.http import HttpResponseBase
from django.urls import URLPattern, URLResolver, path
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, ResolverMatch

from ..core.asgi_types import Message, Receive, Scope, Send
from ..core.request_context import SUBJECT_STATE_KEY, admitted_scopes
from ..core.websockets import CLOSE_NORMAL, SocketAccess

CHECK_ID: Final = "api.E002"
_DECLARED: Final = "__websocket_access__"
_MATCH_SCOPE_KEY: Final = "websocket_route_match"

Endpoint = Callable[..., Awaitable[None]]
"""`async def endpoint(websocket: WebSocket, **path_parameters) -> None`."""


def requires(*scopes: str) -> Callable[[Endpoint], Endpoint]:
    """Declares the scopes a bearer token needs to connect (none: any valid token)."""

    def declare(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, _DECLARED, (frozenset(scopes), False))
        return endpoint

    return declare


def public(endpoint: Endpoint) -> Endpoint:
    """Declares that anyone may connect, without a token."""
    setattr(endpoint, _DECLARED, (frozenset(), True))
    return endpoint


def declared_access(endpoint: Any, route: str) -> SocketAccess | None:
    declared: tuple[frozenset[str], bool] | None = getattr(endpoint, _DECLARED, None)
    if declared is None:
        return None
    scopes, anyone = declared
    return SocketAccess(route=route, scopes=scopes, public=anyone)


class WebSocketDisconnect(Exception):  # noqa: N818 - the name every ASGI framework gives it
    """The client went away (or the service closed the socket): `code` is the close code."""

    def __init__(self, code: int = CLOSE_NORMAL) -> None:
        super().__init__(code)
        self.code = code


class WebSocket:
    """One connection, as its endpoint sees it: accept it, then send and receive text or bytes."""

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scope = scope
        self._receive = receive
        self._send = send

    @property
    def subject(self) -> str | None:
        """The token's subject (`sub`) the connection was admitted with; None on a public route."""
        subject: str | None = self.scope.get("state", {}).get(SUBJECT_STATE_KEY)
        return subject

    @property
    def scopes(self) -> frozenset[str]:
        """The scopes of the token the connection was admitted with (none on a public route)."""
        return admitted_scopes(self.scope)

    async def accept(self) -> None:
        message = await self._receive()
        if message["type"] != "websocket.connect":
            raise WebSocketDisconnect(message.get("code", CLOSE_NORMAL))
        await self._send_message({"type": "websocket.accept"})

    async def receive_text(self) -> str:
        message = await self._receive_message()
        text = message.get("text")
        return text if isinstance(text, str) else bytes(message.get("bytes") or b"").decode()

    async def receive_bytes(self) -> bytes:
        message = await self._receive_message()
        data = message.get("bytes")
        return data if isinstance(data, bytes) else str(message.get("text") or "").encode()

    async def send_text(self, data: str) -> None:
        await self._send_message({"type": "websocket.send", "text": data})

    async def send_bytes(self, data: bytes) -> None:
        await self._send_message({"type": "websocket.send", "bytes": data})

    async def close(self, code: int = CLOSE_NORMAL) -> None:
        await self._send_message({"type": "websocket.close", "code": code, "reason": ""})

    async def _receive_message(self) -> Message:
        message = await self._receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", CLOSE_NORMAL))
        return message

    async def _send_message(self, message: Message) -> None:
        try:
            await self._send(message)
        except OSError:  # the connection is gone, or the gate closed it
            raise WebSocketDisconnect(1006) from None


def websocket_path(route: str, endpoint: Endpoint, *, name: str = "") -> URLPattern:
    """`path()` for `websocket_urlpatterns` (Django types `path()` for HTTP views)."""
    view = cast(Callable[..., HttpResponseBase], endpoint)
    return path(route, view, name=name) if name else path(route, view)


def websocket_urlpatterns() -> list[URLPattern]:
    """`websocket_urlpatterns` of the URL configuration (urls.py)."""
    urlconf = settings.ROOT_URLCONF  # a module path, or (Django allows it) the module itself
    module = import_module(urlconf) if isinstance(urlconf, str) else urlconf
    patterns: list[URLPattern] = getattr(module, "websocket_urlpatterns", [])
    return patterns


class WebSocketRoutes:
    """The WebSocket routes: what each declares, for the gate (`RouteLookup`), and the ASGI app that runs the
    endpoint the gate admitted a connection to."""

    def __init__(self, patterns: list[URLPattern] | None = None) -> None:
        self._resolver = URLResolver(RegexPattern(r"^/"), websocket_urlpatterns() if patterns is None else patterns)

    def __call__(self, scope: Scope) -> SocketAccess | None:
        try:
            match = self._resolver.resolve(scope["path"])
        except Resolver404:
            return None
        scope[_MATCH_SCOPE_KEY] = match
        return declared_access(match.func, "/" + match.route)

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        match: ResolverMatch = scope[_MATCH_SCOPE_KEY]
        await match.func(WebSocket(scope, receive, send), **match.kwargs)


def _endpoints(patterns: list[Any], prefix: str) -> Iterator[tuple[str, Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _endpoints(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


@checks.register(checks.Tags.security, checks.Tags.urls)
def check_websocket_declarations(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`manage.py check` (and the service's start): every WebSocket endpoint declares its scopes or that it is
    public."""
    return [
        checks.Error(
            f"WebSocket {route} ({endpoint.__module__}.{endpoint.__qualname__}) declares neither its scopes nor that "
            "it is public",
            hint='Decorate it with `@requires("<resource>:read")` or `@public` (api/websockets.py).',
            obj=endpoint,
            id=CHECK_ID,
        )
        for route, endpoint in _endpoints(websocket_urlpatterns(), "/")
        if declared_access(endpoint, route) is None
    ]
