"""The rate-limit budgets a request was checked against, kept on the request for its X-RateLimit-* headers.

Its own module, free of DRF's views: the throttle (imported by DRF while `rest_framework.views` loads) uses it.
"""

from __future__ import annotations

from typing import Final

from django.http import HttpRequest

from ..rates import Verdict

VERDICTS_ATTRIBUTE: Final = "rate_limit_verdicts"


def record_verdicts(request: HttpRequest, verdicts: dict[str, Verdict]) -> None:
    """Called by the throttle: the budgets this request was checked against, by scope."""
    setattr(request, VERDICTS_ATTRIBUTE, verdicts)


def rate_limit_headers(request: HttpRequest) -> dict[str, str]:
    """X-RateLimit-* of the tightest limit checked for this request (the default, a view's own); none if skipped."""
    verdicts: dict[str, Verdict] | None = getattr(request, VERDICTS_ATTRIBUTE, None)
    if not verdicts:
        return {}
    tightest = min(verdicts.values(), key=lambda checked: (checked.remaining, -checked.reset_s))
    return {
        "X-RateLimit-Limit": str(tightest.limit),
        "X-RateLimit-Remaining": str(tightest.remaining),
        "X-RateLimit-Reset": str(tightest.reset_s),
    }
