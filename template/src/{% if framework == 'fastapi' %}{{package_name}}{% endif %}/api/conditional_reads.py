"""Cacheable reads for FastAPI routes (core/http_caching.py): a read answers with `ETag` and `Cache-Control:
private, no-cache`, and 304 without a body when the client's `If-None-Match` names the current `ETag`.

A read route takes `if_none_match: IfNoneMatch = None`, documents `NOT_MODIFIED`, declares `response_model=` (it may
return a bare 304 `Response`), and returns the 304 `cacheable_read(...)` gives, if any, else its body; a list route
calls `cacheable_list(response)`.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import Header
from starlette.responses import Response

from ..core.http_caching import IF_NONE_MATCH_DESCRIPTION, NOT_MODIFIED_DESCRIPTION, not_modified, read_headers

IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match", description=IF_NONE_MATCH_DESCRIPTION)]
NOT_MODIFIED: Final[dict[int | str, dict[str, Any]]] = {304: {"description": NOT_MODIFIED_DESCRIPTION}}


def cacheable_read(etag: str, if_none_match: str | None, response: Response) -> Response | None:
    """The 304 (with the read's caching headers) to answer when the client's copy is current; otherwise None, and
    `response` carries the caching headers for the body the route returns."""
    headers = read_headers(etag)
    if not_modified(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return None


def cacheable_list(response: Response) -> None:
    """A collection read: stored by the client, revalidated every time (it has no ETag of its own)."""
    response.headers.update(read_headers())
