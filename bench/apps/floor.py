"""A bare app plus the rendered service's response headers, added as one static list by one pure ASGI layer.

The contract requires about 17 response headers (security headers, ids, timing, Vary); the server validates and
serialises every one of them. This app pays that price and nothing else, so `rendered/floor` is the cost of the
middleware's own work and `floor/bare` the cost of the contract's headers. The harness passes the headers the
rendered service actually sent (FLOOR_HEADERS, a JSON list of [name, value]) and the bare app to wrap (FLOOR_BASE:
`bare` for FastAPI, the default; `drf_bare` for Django REST framework).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
bare_app = importlib.import_module(os.environ.get("FLOOR_BASE", "bare")).app

HEADERS = [
    (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in json.loads(os.environ["FLOOR_HEADERS"])
]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        await bare_app(scope, receive, send)
        return

    async def send_with_headers(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), *HEADERS]
        await send(message)

    await bare_app(scope, receive, send_with_headers)
