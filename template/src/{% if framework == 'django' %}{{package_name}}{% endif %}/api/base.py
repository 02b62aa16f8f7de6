"""What every view of the service shares: the HTTP methods it offers."""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from ..runtime import service_of
from ..rates import RouteLimit


class ServiceAPIView(APIView):
    # No OPTIONS (CORS preflights are answered by the CORS middleware) and no PATCH: the same surface as the
    # FastAPI variant. HEAD is served wherever GET is (Django maps it to `get`).
    http_method_names = ["get", "post", "put", "delete", "head"]  # noqa: RUF012 - Django's own attribute
    rate_limited: ClassVar[bool] = False
    """API views are rate limited (when the project has it); health and documentation never are."""

    rate_limits: ClassVar[tuple[RouteLimit, ...]] = ()
    """This view's own limits (`api.limits`), enforced on top of the default one, each in its own budget."""

    def get_throttles(self) -> list[BaseThrottle]:
        if not self.rate_limited:
            return []
        wiring = service_of(self.request).wiring
        throttles = [throttle() for throttle in wiring.api_throttles]
        route_throttle = wiring.extras.get("route_throttle")
        if route_throttle is not None:
            method = self.request.method or "GET"
            throttles.extend(route_throttle(limit)() for limit in self.rate_limits if limit.applies_to(method))
        return throttles

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        add_headers = service_of(request).wiring.extras.get("rate_limit_headers")
        if add_headers is not None:
            for name, value in add_headers(request._request).items():
                response[name] = value
        return response

    @property
    def allowed_methods(self) -> list[str]:
        offered = (method for method in self.http_method_names if method != "head" and hasattr(self, method))
        methods = sorted(method.upper() for method in offered)
        return [*methods, "HEAD"] if "GET" in methods else methods

    @property
    def default_response_headers(self) -> dict[str, str]:
        # DRF sends Allow on every response; the service sends it on 405s only (see api.errors).
        return {}


def scope_of(request: Any) -> dict[str, Any]:
    scope: dict[str, Any] = getattr(request, "scope", None) or {}
    return scope
