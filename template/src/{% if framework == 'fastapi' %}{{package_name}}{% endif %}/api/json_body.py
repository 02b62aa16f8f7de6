"""Request bodies are JSON. Any other media type gets a 415 before validation could call it a 422.

FastAPI parses a body as JSON only when its Content-Type says so (`application/json`, or any `+json` type) and
otherwise hands the raw bytes to validation, which answers 422 ("Input should be a valid dictionary"): the
field-by-field errors of a body that was never read as JSON. Routes that take a body add `JSON_BODY` to their
`dependencies=`; it runs before the body is validated.
"""

from __future__ import annotations

from typing import Final

from fastapi import Depends, Request
from starlette.exceptions import HTTPException

JSON_MEDIA_TYPE: Final = "application/json"
UNSUPPORTED_DETAIL: Final = f"The request body must be sent as {JSON_MEDIA_TYPE}"


async def require_json_body(request: Request) -> None:
    """415 for a non-empty body that is not `application/json` (parameters such as `charset` are fine)."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != JSON_MEDIA_TYPE and await request.body():  # FastAPI has read the body already: no I/O here
        raise HTTPException(415, UNSUPPORTED_DETAIL)


JSON_BODY: Final = [Depends(require_json_body)]
