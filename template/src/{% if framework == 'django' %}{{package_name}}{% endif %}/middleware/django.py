"""The one Django-side middleware: what only Django knows (URL pattern matched, view exception) goes back to the
ASGI scope, where the pure ASGI middleware (access log, metrics, 500 body) reads it."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import cache
from typing import Any, Final

from django.http import HttpRequest, HttpResponse, HttpResponseBase

from ..core.middleware.telemetry import ROUTE_KEY

EXCEPTION_KEY: Final = "unhandled_exception"
_CONVERTER: Final = re.compile(r"<(?:\w+:)?(\w+)>")


def spooled_length(request: HttpRequest) -> int:
    """The length of a body Django's ASGI handler has spooled, found without reading it: a file upload's may be far
    larger than the memory a request should take (`request.body` would hold it whole). Django's test client gives a
    stream that cannot seek: read, its bodies are small."""
    stream = getattr(request, "_stream", None)
    if stream is not None and stream.seekable():
        size = int(stream.seek(0, os.SEEK_END))
        stream.seek(0)
        return size
    return len(request.body)


@cache  # one entry per URL pattern: the routes are the app's, never the request's path
def route_template(route: str) -> str:
    """Django's `api/v1/items/<str:item_id>` spelled like OpenAPI: `/api/v1/items/{item_id}`."""
    return "/" + _CONVERTER.sub(r"{\1}", route)


class ServiceMiddleware:
    # Synchronous, as the service's handler runs the chain: on the request's thread (request_threads.py).
    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if "CONTENT_LENGTH" not in request.META and "HTTP_TRANSFER_ENCODING" in request.META:
            # A chunked upload has no Content-Length, and DRF reads a request without one as empty. Django has
            # already spooled the whole body (bounded by BodySizeLimitMiddleware): state its length.
            request.META["CONTENT_LENGTH"] = str(spooled_length(request))
        response = self.get_response(request)
        if isinstance(response, HttpResponse) and not response.has_header("Content-Length"):
            # Django sends a body without its length, in 64 kB pieces: declared, the answer is whole to the ASGI
            # layers (the compression of a large read needs that) and to the client (no chunked encoding).
            response["Content-Length"] = str(len(response.content))
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        match = request.resolver_match
        scope = getattr(request, "scope", None)  # None under Django's test client (WSGI)
        if match is not None and scope is not None:
            scope[ROUTE_KEY] = route_template(match.route)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        # Django logs it and calls handler500, which gets no exception: keep it for the development detail.
        scope = getattr(request, "scope", None)
        if scope is not None:
            scope[EXCEPTION_KEY] = exception
