"""Request bodies are JSON. Any other media type gets a 415 before validation could call it a 422, and JSON nested
absurdly deep a 400 (on Python 3.13 json.loads decodes it, and validation would call it a 422).

FastAPI parses a body as JSON only when its Content-Type says so (`application/json`, or any `+json` type) and
otherwise hands the raw bytes to validation, which answers 422 ("Input should be a valid dictionary"): the
field-by-field errors of a body that was never read as JSON. Routes that take a body add `JSON_BODY` to their
`dependencies=`; it runs before the body is validated.
"""

from __future__ import annotations

from typing import Final

from fastapi import Depends, Request
from starlette.exceptions import HTTPException

from ..core.json_depth import TOO_DEEP_DETAIL, may_be_too_deep, too_deep

JSON_MEDIA_TYPE: Final = "application/json"
UNSUPPORTED_DETAIL: Final = f"The request body must be sent as {JSON_MEDIA_TYPE}"


async def require_json_body(request: Request) -> None:
    """415 for a non-empty body that is not `application/json` (parameters such as `charset` are fine); 400 for
    JSON nested deeper than `core/json_depth.py` allows."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    body = await request.body()  # FastAPI has read the body already: no I/O here
    if media_type != JSON_MEDIA_TYPE:
        if body:
            raise HTTPException(415, UNSUPPORTED_DETAIL)
    elif may_be_too_deep(body) and too_deep(await request.json()):  # parsed once, by FastAPI: cached
        raise HTTPException(400, TOO_DEEP_DETAIL)


JSON_BODY: Final = [Depends(require_json_body)]
