"""Versioned APIs: a resource served under `/api/v2` beside `/api/v1`, its old version announced as deprecated.

A `Deprecation` names the old path (`/api/v1/items`), its successor (`/api/v2/items`), when it was deprecated and
when it stops answering. Every answer under the old path then carries (whatever its status):

- `Deprecation: @1767225600`: deprecated since that moment (RFC 9745: a structured-field date, seconds since 1970);
- `Sunset: Thu, 01 Jul 2027 00:00:00 GMT`: it may stop answering after that HTTP-date (RFC 8594), when one is set;
- `Link: </api/v2/items/42>; rel="successor-version"`: the same resource in the successor version (RFC 5829).

The OpenAPI document flags every operation under the old path `deprecated` and documents the headers
(`document_deprecations`). The service declares its deprecations in one tuple, `API_DEPRECATIONS` (README: "Versioned
APIs"); with none, nothing here runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from .asgi_types import ASGIApp, Message, Receive, Scope, Send

Headers = list[tuple[bytes, bytes]]

DEPRECATION_HEADERS: dict[str, dict[str, Any]] = {
    "Deprecation": {
        "description": "This operation is deprecated since this moment (RFC 9745: `@` and seconds since 1970)",
        "schema": {"type": "string", "example": "@1767225600"},
    },
    "Sunset": {
        "description": "It may stop answering after this HTTP-date (RFC 8594)",
        "schema": {"type": "string", "example": "Thu, 01 Jul 2027 00:00:00 GMT"},
    },
    "Link": {
        "description": 'The same resource in the successor version: `<path>; rel="successor-version"`',
        "schema": {"type": "string"},
    },
}


@dataclass(frozen=True)
class Deprecation:
    """Every route under `path` is deprecated since `since` in favour of the same route under `successor`."""

    path: str
    successor: str
    since: datetime
    sunset: datetime | None = None

    def __post_init__(self) -> None:
        for name in ("path", "successor"):
            value = getattr(self, name)
            if not value.startswith("/") or value.endswith("/"):
                raise ValueError(f"{name} must start with / and not end with one: {value!r}")
        for moment in (self.since, self.sunset):
            if moment is not None and moment.tzinfo is None:
                raise ValueError("since and sunset need a timezone (datetime(..., tzinfo=UTC))")
        if self.sunset is not None and self.sunset <= self.since:
            raise ValueError("the sunset comes after the deprecation")

    def covers(self, path: str) -> bool:
        return path == self.path or path.startswith(self.path + "/")

    def headers(self, path: str) -> dict[str, str]:
        """The headers of an answer to `path` (one this deprecation covers)."""
        headers = {"Deprecation": f"@{int(self.since.timestamp())}"}
        if self.sunset is not None:
            headers["Sunset"] = format_datetime(self.sunset.astimezone(UTC), usegmt=True)
        headers["Link"] = f'<{self.successor}{path.removeprefix(self.path)}>; rel="successor-version"'
        return headers


class DeprecationMiddleware:
    """Adds each covering deprecation's headers to every answer under its path; a `Link` the route set is kept and
    the successor is appended to it."""

    def __init__(self, app: ASGIApp, *, deprecations: Sequence[Deprecation]) -> None:
        self.app = app
        self.deprecations = tuple(deprecations)

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not on the coroutine chain while the request waits (core/middleware/__init__.py).
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        path = scope["path"]
        deprecation = next((each for each in self.deprecations if each.covers(path)), None)
        if deprecation is None:
            return self.app(scope, receive, send)
        extra = deprecation.headers(path)

        async def send_deprecated(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: Headers = list(message.get("headers", ()))
                for name, value in extra.items():
                    encoded = name.lower().encode("latin-1")
                    index = next((i for i, (key, _) in enumerate(headers) if key.lower() == encoded), None)
                    if index is not None and encoded == b"link":
                        headers[index] = (headers[index][0], headers[index][1] + b", " + value.encode("latin-1"))
                    elif index is None:
                        headers.append((encoded, value.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        return self.app(scope, receive, send_deprecated)


def document_deprecations(document: dict[str, Any], deprecations: Sequence[Deprecation]) -> dict[str, Any]:
    """Flag the OpenAPI document's operations under a deprecated path `deprecated` and document their headers."""
    for path, operations in document.get("paths", {}).items():
        if not any(deprecation.covers(path) for deprecation in deprecations):
            continue
        for method, operation in operations.items():
            if method in ("parameters", "summary", "description", "servers"):
                continue
            operation["deprecated"] = True
            for response in operation.get("responses", {}).values():
                if "$ref" not in response:
                    response.setdefault("headers", {}).update(DEPRECATION_HEADERS)
    return document
