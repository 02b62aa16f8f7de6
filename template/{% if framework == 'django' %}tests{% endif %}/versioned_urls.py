"""The service's URL configuration as a team changes it to retire `/api/v1/items` (README: "Versioned APIs"): the
items' `urls` included again under `/api/v2/` and the retired version declared in `API_DEPRECATIONS`."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import import_module

from django.apps import apps
from django.urls import URLPattern, URLResolver, include, path

ITEMS = apps.get_app_config("items").name  # "<package>.items"
service_urls = import_module(ITEMS.rsplit(".", 1)[0] + ".urls")
Deprecation = import_module(ITEMS.rsplit(".", 1)[0] + ".core.api_versions").Deprecation

API_DEPRECATIONS = (
    Deprecation(
        "/api/v1/items",
        "/api/v2/items",
        since=datetime(2026, 7, 1, tzinfo=UTC),
        sunset=datetime(2027, 1, 1, tzinfo=UTC),
    ),
)
urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v2/", include((f"{ITEMS}.urls", "items"), namespace="items_v2")),
    *service_urls.urlpatterns,
]
websocket_urlpatterns = service_urls.websocket_urlpatterns
handler400 = service_urls.handler400
handler403 = service_urls.handler403
handler404 = service_urls.handler404
handler500 = service_urls.handler500
