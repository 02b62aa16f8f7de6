"""Cacheable reads for DRF views (core/http_caching.py): a read answers with `ETag` and `Cache-Control: private,
no-cache`, and 304 without a body when the client's `If-None-Match` names the current `ETag`.

A read action documents `IF_NONE_MATCH` and `NOT_MODIFIED` and returns `cacheable_read(...)`; a list action passes
its response through `cacheable_list`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.request import Request
from rest_framework.response import Response

from ..core.http_caching import IF_NONE_MATCH_DESCRIPTION, NOT_MODIFIED_DESCRIPTION, not_modified, read_headers

IF_NONE_MATCH: Final = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=IF_NONE_MATCH_DESCRIPTION,
)
NOT_MODIFIED: Final = {304: OpenApiResponse(description=NOT_MODIFIED_DESCRIPTION)}


def cacheable_read(request: Request, etag: str, body: Callable[[], Any]) -> Response:
    """The representation `body()` builds with its caching headers, or a 304 carrying the same headers (and not
    building the body) when the client's copy is current."""
    headers = read_headers(etag)
    if not_modified(request.headers.get("If-None-Match"), etag):
        return Response(status=304, headers=headers)
    return Response(body(), headers=headers)


def cacheable_list(response: Response) -> Response:
    """A collection read: stored by the client, revalidated every time (it has no ETag of its own)."""
    for name, value in read_headers().items():
        response[name] = value
    return response
