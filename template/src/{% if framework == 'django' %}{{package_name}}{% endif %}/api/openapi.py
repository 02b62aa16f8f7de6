"""`/openapi.json`: drf-spectacular's document of the app's own routes, generated once per URL configuration."""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from .base import ServiceAPIView


@extend_schema(exclude=True)
class OpenAPIView(ServiceAPIView):
    urlconf: Any = None
    _documents: ClassVar[dict[int, dict[str, Any]]] = {}

    def get(self, request: Request) -> Response:
        key = id(self.urlconf)
        if key not in self._documents:
            generator = SchemaGenerator(urlconf=self.urlconf)  # type: ignore[no-untyped-call]
            self._documents[key] = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
        return Response(self._documents[key])
