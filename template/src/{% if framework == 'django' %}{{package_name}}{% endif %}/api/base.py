"""What every view of the service shares: the HTTP methods it offers, and the rate-limit headers of its answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Final

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from ..rates import RouteLimit
from .verdicts import rate_limit_headers

THROTTLES_CHECKED: Final = "throttles_checked"
"""The DRF request's attribute saying its rate limit was checked (and spent)."""


class ServiceViewMixin:
    # No OPTIONS (CORS preflights are answered by the CORS middleware): only the methods each view documents.
    # HEAD is served wherever GET is (Django maps it to `get`).
    http_method_names: Sequence[str] = ("get", "post", "put", "patch", "delete", "head")

    rate_limits: ClassVar[tuple[RouteLimit, ...]] = ()
    """This view's own limits (its app's `limits.py`), enforced on top of RATE_LIMIT_DEFAULT, each in its own budget."""

    public: ClassVar[bool] = False
    """True when anyone may call the view; otherwise it declares `required_scopes` (api/scopes.py)."""

    def check_permissions(self, request: Request) -> None:
        """The rate limit first (DRF checks it after the permissions): a request refused for its credentials still
        spends its client's budget, so a flood of bad tokens is limited too."""
        self.check_throttles(request)
        super().check_permissions(request)  # type: ignore[misc]

    def check_throttles(self, request: Request) -> None:
        """Once per request: DRF's `initial` calls it again after the permissions."""
        if getattr(request, THROTTLES_CHECKED, False):
            return
        setattr(request, THROTTLES_CHECKED, True)
        super().check_throttles(request)  # type: ignore[misc]

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        for name, value in rate_limit_headers(request._request).items():
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


class ServiceAPIView(ServiceViewMixin, APIView):
    """A plain view."""


class PublicAPIView(ServiceAPIView):
    """A view anyone may call whatever REST_FRAMEWORK's defaults require (health, metrics, /docs, /openapi.json):
    no authentication, no permission check. Every other view declares its `required_scopes` (api/scopes.py)."""

    public = True
    authentication_classes = ()
    permission_classes = ()


class ServiceViewSet(ServiceViewMixin, GenericViewSet):  # type: ignore[type-arg]
    """A resource's views; combine with DRF's mixins (ListModelMixin, ...) or override the actions."""
