"""What every view of the service shares: the HTTP methods it offers, and the rate-limit headers of its answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, cast

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from ..rates import RouteLimit
from .verdicts import rate_limit_headers


class ServiceViewMixin:
    # No OPTIONS (CORS preflights are answered by the CORS middleware): the same surface as the FastAPI variant.
    # HEAD is served wherever GET is (Django maps it to `get`).
    http_method_names: Sequence[str] = ("get", "post", "put", "patch", "delete", "head")

    rate_limits: ClassVar[tuple[RouteLimit, ...]] = ()
    """This view's own limits (`api.limits`), enforced on top of RATE_LIMIT_DEFAULT, each in its own budget."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """DRF's `initial`, with the rate limit checked before the permissions (DRF checks it last): a request
        refused for its credentials still spends its client's budget, so a flood of bad tokens is limited too."""
        view = cast(APIView, self)
        view.format_kwarg = view.get_format_suffix(**kwargs)
        request.accepted_renderer, request.accepted_media_type = view.perform_content_negotiation(request)
        request.version, request.versioning_scheme = view.determine_version(request, *args, **kwargs)
        view.perform_authentication(request)
        view.check_throttles(request)
        view.check_permissions(request)

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
    no authentication, no permission check. Every other view needs what the defaults say (a bearer token with the
    scope of the method, when the service was generated with authentication)."""

    authentication_classes = ()
    permission_classes = ()


class ServiceViewSet(ServiceViewMixin, GenericViewSet):  # type: ignore[type-arg]
    """A resource's views; combine with DRF's mixins (ListModelMixin, ...) or override the actions."""
