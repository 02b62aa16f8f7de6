"""RFC 9457 problem details: the one error format of the service, for every status and every code path."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any, Final

from django.http import HttpResponse

from .asgi_types import Send
from .request_context import current_request_id

PROBLEM_MEDIA_TYPE: Final = "application/problem+json"


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_body(status: int, detail: str, instance: str, **extra: Any) -> bytes:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": reason(status),
        "status": status,
        "detail": detail,
        "instance": instance,
        "request_id": current_request_id(),
        **extra,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def problem_response(
    status: int, detail: str, instance: str, headers: dict[str, str] | None = None, **extra: Any
) -> HttpResponse:
    return HttpResponse(
        problem_body(status, detail, instance, **extra),
        status=status,
        headers=headers,
        content_type=PROBLEM_MEDIA_TYPE,
    )


async def send_problem(send: Send, status: int, detail: str, instance: str) -> None:
    """Send a problem response from pure ASGI middleware, outside Django."""
    body = problem_body(status, detail, instance)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
