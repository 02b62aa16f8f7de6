"""`/openapi.json` (when DOCS_ENABLED): drf-spectacular's document of the routes in urls.py, generated once per
URL configuration (the post-processing hooks of SPECTACULAR_SETTINGS add what the service adds)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.urls import get_resolver
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from .base import ServiceAPIView


@extend_schema(exclude=True)
class OpenAPIView(ServiceAPIView):
    throttle_classes = []  # noqa: RUF012 - clients generate code from it; never rate limited
    _documents: ClassVar[dict[int, dict[str, Any]]] = {}

    def get(self, request: Request) -> Response:
        # Keyed by the resolver: a test that reloads urls.py (other settings) gets the document of its routes.
        key = id(get_resolver())
        if key not in self._documents:
            generator = SchemaGenerator()  # type: ignore[no-untyped-call]
            self._documents[key] = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
        return Response(self._documents[key])
