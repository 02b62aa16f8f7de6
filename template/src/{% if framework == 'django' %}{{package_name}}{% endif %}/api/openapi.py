"""`/openapi.json` (when DOCS_ENABLED): drf-spectacular's document of the routes in urls.py, generated once per
URL configuration (the post-processing hooks of SPECTACULAR_SETTINGS add what the service adds); beside it
`/asyncapi.json`, the event stream's AsyncAPI document (core/asyncapi.py)."""

from __future__ import annotations

import threading
import weakref
from typing import Any, ClassVar

from django.urls import URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from .. import SERVICE_NAME, __version__
from ..core.asyncapi import asyncapi_document
from .base import PublicAPIView


@extend_schema(exclude=True)
class OpenAPIView(PublicAPIView):
    throttle_classes = []  # noqa: RUF012 - clients generate code from it; never rate limited
    # By resolver: a test that reloads urls.py (other settings, other routes) gets the document of its routes.
    _documents: ClassVar[weakref.WeakKeyDictionary[URLResolver, dict[str, Any]]] = weakref.WeakKeyDictionary()
    # Django serves concurrent requests on separate threads, and drf-spectacular's first generation (it imports its
    # extensions' targets) is not thread-safe: two first requests at once answered 500. One generation at a time.
    _generating: ClassVar[threading.Lock] = threading.Lock()

    def get(self, request: Request) -> Response:
        resolver = get_resolver()
        document = self._documents.get(resolver)
        if document is None:
            with self._generating:
                document = self._documents.get(resolver)
                if document is None:
                    generator = SchemaGenerator()  # type: ignore[no-untyped-call]
                    document = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
                    self._documents[resolver] = document
        return Response(document)


@extend_schema(exclude=True)
class AsyncAPIView(PublicAPIView):
    throttle_classes = []  # noqa: RUF012 - clients generate code from it; never rate limited
    authenticated: ClassVar[bool] = True

    def get(self, request: Request) -> Response:
        return Response(asyncapi_document(title=SERVICE_NAME, version=__version__, authenticated=self.authenticated))
