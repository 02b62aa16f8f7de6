"""`/static/<path>`: the admin's CSS and scripts, read from the installed apps' `static/` folders and served by the
service itself (no CDN, no `collectstatic` step). Routed by urls.py with the admin only.

Small files, read whole into the response: Django's own `static.serve` answers with a FileResponse, whose sync
iterator Django's ASGI handler has to drain in a thread (with a warning per file).
"""

from __future__ import annotations

import mimetypes
import posixpath
from pathlib import Path
from typing import Final

from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse

CACHE_CONTROL: Final = "public, max-age=3600"
"""The names carry no content hash: an hour, so that a Django upgrade shows within the hour."""


def serve_static(request: HttpRequest, path: str) -> HttpResponse:
    normalised = posixpath.normpath(path).lstrip("/")
    if normalised.startswith("..") or normalised in {"", "."}:
        raise Http404("No static file has this name")
    found = finders.find(normalised)
    if not isinstance(found, str):
        raise Http404("No static file has this name")
    content_type, _ = mimetypes.guess_type(found)
    return HttpResponse(
        Path(found).read_bytes(),
        content_type=content_type or "application/octet-stream",
        headers={"Cache-Control": CACHE_CONTROL},
    )
