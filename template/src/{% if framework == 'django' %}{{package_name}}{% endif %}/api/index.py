"""`GET /`: the service's name, version and links (core/service_index.py).

Like `/docs` and `/openapi.json` it is not an operation of the API, so the OpenAPI document leaves it out; like the
health endpoints it is never rate limited.
"""

from __future__ import annotations

from django.conf import settings as django_settings
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from .. import SERVICE_NAME, __version__
from ..core.service_index import service_index
from ..integrations import wiring
from .base import PublicAPIView


class IndexView(PublicAPIView):
    throttle_classes = []  # noqa: RUF012 - not an API route: never rate limited

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        settings = django_settings.SERVICE_SETTINGS
        return Response(service_index(settings, wiring(), name=SERVICE_NAME, version=__version__))
