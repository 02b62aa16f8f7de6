"""What every view of the service shares: the HTTP methods it offers."""

from __future__ import annotations

from typing import Any

from rest_framework.views import APIView


class ServiceAPIView(APIView):
    # No OPTIONS (CORS preflights are answered by the CORS middleware) and no PATCH: the same surface as the
    # FastAPI variant. HEAD is served wherever GET is (Django maps it to `get`).
    http_method_names = ["get", "post", "put", "delete", "head"]  # noqa: RUF012 - Django's own attribute

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
