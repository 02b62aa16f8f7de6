"""Django responses carrying RFC 9457 problem details (the bodies themselves are `core/problems.py`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse

from .core.problems import PROBLEM_MEDIA_TYPE, problem_body


def problem_response(
    status: int, detail: str, instance: str, headers: dict[str, str] | None = None, **extra: Any
) -> HttpResponse:
    return HttpResponse(
        problem_body(status, detail, instance, **extra),
        status=status,
        headers=headers,
        content_type=PROBLEM_MEDIA_TYPE,
    )
