"""gzip for large JSON answers to reads, when the client's `Accept-Encoding` asks for it (RFC 9110 8.4, 12.5.3).

What is compressed: the answer to a GET whose body is JSON (`application/json`, `application/*+json`), is
whole (it declares its `Content-Length`) and holds at least `min_size` bytes. Everything else passes untouched: a
stream (server-sent events, an export: no `Content-Length`), a WebSocket, a 304 or any answer without a body, a body
the route already encoded, and every answer to a write.

Why writes are never compressed (BREACH): compression leaks, through the body's length, whether a guess matches a
secret in the same body, when an attacker can both make the victim's client send requests with chosen input and see
the lengths. The secrets the service hands out (access and refresh tokens, one-time links) come in answers to POSTs;
reads carry stored data their caller may already read, and credentials are bearer tokens a browser never attaches to
another site's request on its own. So no answer with a token in it is ever compressed, and no route list has to be
kept up to date for it.

Every answer to a read that could be compressed says `Vary: Accept-Encoding`, compressed or not, so a cache never
hands gzip to a client that did not ask for it. A compressed body is a different representation, so its entity tag
is the route's own plus `+gzip` (`"3+gzip"`: still strong; not mod_deflate's `-gzip`, which the docs UI's own
compressed files use). The conditional headers a client sends back (`If-None-Match`, `If-Match`) are stripped of
the suffix before the route sees them, so routes only ever compare their own tags, and a 304 names the tag the
client holds.

The level and the default threshold come from a measurement on the list of items (`DEFAULT_LEVEL`). zstd and brotli
are cheaper still for the same bytes, but need a compiled package the service would carry for that alone.
"""

from __future__ import annotations

import gzip
from collections.abc import Awaitable
from functools import lru_cache
from typing import Final

from ..asgi_types import ASGIApp, Message, Receive, Scope, Send

Headers = list[tuple[bytes, bytes]]

DEFAULT_MIN_SIZE: Final = 1024
"""Bytes a JSON body needs before it is compressed: one item (about 400 bytes) goes as it is, a page of three or more
is compressed. Below a kilobyte the saving is a few hundred bytes, less than one TCP segment."""
DEFAULT_LEVEL: Final = 1
"""gzip's level. Measured on a page of 100 items (41.5 kB of JSON, bench/compression.py): level 1 sends 30 % of the
bytes for 160 µs of CPU; zlib's default 6 sends 25 % for 570 µs and 9 the same for 810 µs. The CPU is the replica's,
the bytes are mostly saved on the client's last mile either way: 1 takes most of the gain for a third of the cost."""
ETAG_SUFFIX: Final = b"+gzip"

_READS: Final = frozenset({"GET", "HEAD"})
_SUFFIXED_QUOTE: Final = ETAG_SUFFIX + b'"'
_CONDITIONAL: Final = frozenset({b"if-none-match", b"if-match"})
_VARY: Final = b"vary"
_VARY_ACCEPT_ENCODING: Final = (_VARY, b"Accept-Encoding")


@lru_cache(maxsize=64)
def accepts_gzip(accept_encoding: bytes) -> bool:
    """Whether an `Accept-Encoding` value allows gzip: named (or `x-gzip`, or `*`) with a weight above zero; a
    `gzip;q=0` refuses it even when `*` is listed."""
    named: float | None = None
    anything: float | None = None
    for item in accept_encoding.decode("latin-1").lower().split(","):
        coding, _, parameters = item.partition(";")
        coding = coding.strip()
        weight = 1.0
        for parameter in parameters.split(";"):
            key, _, value = parameter.partition("=")
            if key.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if coding in ("gzip", "x-gzip"):
            named = weight
        elif coding == "*":
            anything = weight
    chosen = named if named is not None else anything
    return chosen is not None and chosen > 0


def is_json(content_type: bytes) -> bool:
    media_type = content_type.partition(b";")[0].strip().lower()
    return media_type == b"application/json" or (
        media_type.startswith(b"application/") and media_type.endswith(b"+json")
    )


def _vary_on_accept_encoding(headers: Headers) -> None:
    """Add Accept-Encoding to the answer's Vary header (merged into one that is already there)."""
    for index, (name, value) in enumerate(headers):
        if name.lower() == _VARY:
            if b"accept-encoding" not in value.lower() and value.strip() != b"*":
                headers[index] = (name, value + b", Accept-Encoding")
            return
    headers.append(_VARY_ACCEPT_ENCODING)


def _suffix_etag(headers: Headers) -> None:
    for index, (name, value) in enumerate(headers):
        if name.lower() == b"etag" and value.endswith(b'"') and not value.endswith(_SUFFIXED_QUOTE):
            headers[index] = (name, value[:-1] + _SUFFIXED_QUOTE)


class CompressionMiddleware:
    """gzip for the large JSON answers to reads (see the module's docstring); `min_size` in bytes."""

    def __init__(self, app: ASGIApp, *, min_size: int = DEFAULT_MIN_SIZE, level: int = DEFAULT_LEVEL) -> None:
        self.app = app
        self.min_size = min_size
        self.level = level

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not on the coroutine chain while the request waits: see the package's docstring.
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        wants_gzip = named_ours = False
        for name, value in scope["headers"]:
            if name == b"accept-encoding":
                wants_gzip = accepts_gzip(value)
            elif name in _CONDITIONAL and _SUFFIXED_QUOTE in value:
                named_ours = True
        if named_ours:
            # The client holds a compressed copy (a read's If-None-Match, a write's If-Match): the route compares
            # its own tag. Changed in place: outer layers read what the routing writes into this scope.
            scope["headers"] = [
                (name, value.replace(_SUFFIXED_QUOTE, b'"') if name in _CONDITIONAL else value)
                for name, value in scope["headers"]
            ]
        method = scope["method"]
        if method not in _READS:
            return self.app(scope, receive, send)
        # A HEAD is not compressed: whether its body reaches this layer depends on the framework, so the length to
        # announce could not be trusted. It says Vary like its GET.
        wants_gzip = wants_gzip and method == "GET"
        min_size = self.min_size
        level = self.level
        held: Message | None = None
        chunks: list[bytes] = []

        async def compressing_send(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                content_type: bytes | None = None
                length: int | None = None
                encoded = False
                for name, value in headers:
                    lowered = name.lower()
                    if lowered == b"content-type":
                        content_type = value
                    elif lowered == b"content-length":
                        length = int(value) if value.isdigit() else None
                    elif lowered == b"content-encoding":
                        encoded = True
                if status == 304:
                    _vary_on_accept_encoding(headers)
                    if named_ours and wants_gzip:
                        _suffix_etag(headers)  # the copy the client holds is the compressed one
                elif content_type is not None and is_json(content_type) and not encoded:
                    _vary_on_accept_encoding(headers)
                    if wants_gzip and length is not None and length >= min_size and status != 206:
                        held = {**message, "headers": headers}
                        return  # sent with the compressed body's length
                message["headers"] = headers
                await send(message)
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = gzip.compress(b"".join(chunks), compresslevel=level, mtime=0)
            headers = [(name, value) for name, value in held["headers"] if name.lower() != b"content-length"]
            headers += [(b"content-encoding", b"gzip"), (b"content-length", str(len(body)).encode("latin-1"))]
            _suffix_etag(headers)
            await send({**held, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        return self.app(scope, receive, compressing_send)
