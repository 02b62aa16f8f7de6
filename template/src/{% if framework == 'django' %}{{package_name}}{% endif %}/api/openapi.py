"""`/openapi.json`: drf-spectacular's document of the app's own routes, generated once per URL configuration."""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from ..runtime import service_of
from .base import ServiceAPIView


@extend_schema(exclude=True)
class OpenAPIView(ServiceAPIView):
    urlconf: Any = None
    _documents: ClassVar[dict[tuple[int, tuple[str, ...]], dict[str, Any]]] = {}

    def get(self, request: Request) -> Response:
        api_responses = service_of(request).wiring.api_responses
        key = (id(self.urlconf), tuple(sorted(map(str, api_responses))))
        if key not in self._documents:
            generator = SchemaGenerator(urlconf=self.urlconf)  # type: ignore[no-untyped-call]
            document = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
            # Responses every /api operation gains from the integrations (429 when rate limiting is on).
            for path, operations in document["paths"].items():
                if path.startswith("/api/"):
                    for operation in operations.values():
                        for status, response in api_responses.items():
                            operation["responses"].setdefault(str(status), response)
            self._documents[key] = document
        return Response(self._documents[key])
