"""HTTP caching of resource reads: clients keep what they read and revalidate it with its `ETag` (RFC 9111, RFC 9110
13.1.2 and 15.4.5).

A read answers `Cache-Control: private, no-cache`: the client (never a shared cache: the answer depends on who asks)
may store it but must ask again before each use. Asked again with `If-None-Match` naming the current `ETag`, the
service answers `304 Not Modified` without a body, so an unchanged item costs a round trip and no transfer. Every
other API answer (writes, errors, health) keeps the default `no-store`.

A resource's read routes use `read_headers` and `not_modified`; copy them from the example resource's routes.
"""

from __future__ import annotations

import re
from typing import Final

READ_CACHE_CONTROL: Final = "private, no-cache"
"""Stored by the client only, revalidated before every use."""

# An entity-tag (RFC 9110 8.8.3): an optional weak prefix, then an opaque quoted string (which may hold commas).
IF_NONE_MATCH_DESCRIPTION: Final = (
    'The `ETag` of the copy the client holds (`"3"`): 304 without a body while it is current.'
)
NOT_MODIFIED_DESCRIPTION: Final = "Not Modified: the copy named in If-None-Match is current (no body)"
"""What a read's OpenAPI operation says of its `If-None-Match` header and of its 304."""
_ENTITY_TAG = re.compile(r'(?:W/)?"([^"]*)"')


def read_headers(etag: str | None = None) -> dict[str, str]:
    """The caching headers of a resource read, the same on its 200 and its 304."""
    headers = {"Cache-Control": READ_CACHE_CONTROL}
    if etag is not None:
        headers["ETag"] = etag
    return headers


def not_modified(if_none_match: str | None, etag: str) -> bool:
    """Whether a read carrying this `If-None-Match` header gets a 304 for the representation tagged `etag`.

    Weak comparison (RFC 9110 8.8.3.2 and 13.1.2): `W/"3"` matches `"3"`, since the client only asks whether its copy
    is still current. `*` matches any current representation; a list matches when any of its tags does.
    """
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    current = _ENTITY_TAG.fullmatch(etag.strip())
    if current is None:
        return False
    return current.group(1) in _ENTITY_TAG.findall(if_none_match)
