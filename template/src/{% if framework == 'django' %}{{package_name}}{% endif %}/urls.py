"""URL patterns. Which routes exist depends on the settings (no debug route in production, no OpenAPI document
with DOCS_ENABLED=false): `urlconf_for(settings)` builds them per app; the module's own patterns serve
`manage.py` and the system checks."""

from __future__ import annotations

from functools import cache

from django.urls import URLPattern, path

from .api import debug, health, items
from .api.errors import bad_request, page_not_found, permission_denied, server_error
from .api.openapi import OpenAPIView
from .api.paths import API_V1
from .config import Settings


def _patterns(*, production: bool, docs: bool, extra: tuple[URLPattern, ...], urlconf: type) -> list[URLPattern]:
    patterns = [
        path("health/live", health.LiveView.as_view()),
        path("health/ready", health.ReadyView.as_view()),
        path("health", health.SummaryView.as_view()),
        path(f"{API_V1}/items", items.ItemCollectionView.as_view()),
        path(f"{API_V1}/items/<str:item_id>", items.ItemView.as_view()),
    ]
    if not production:
        patterns.append(path(f"{API_V1}/debug/error", debug.DebugErrorView.as_view()))
    if docs:
        patterns.append(path("openapi.json", OpenAPIView.as_view(urlconf=urlconf)))
    patterns.extend(extra)
    return patterns


@cache
def build_urlconf(*, production: bool, docs: bool, extra: tuple[URLPattern, ...] = ()) -> type:
    urlconf = type(
        "URLConf",
        (),
        {
            "handler400": staticmethod(bad_request),
            "handler403": staticmethod(permission_denied),
            "handler404": staticmethod(page_not_found),
            "handler500": staticmethod(server_error),
        },
    )
    urlconf.urlpatterns = _patterns(production=production, docs=docs, extra=extra, urlconf=urlconf)  # type: ignore[attr-defined]
    return urlconf


def urlconf_for(settings: Settings, extra: tuple[URLPattern, ...] = ()) -> type:
    """`extra`: the routes integrations add (`Wiring.urlpatterns`)."""
    return build_urlconf(production=settings.is_production, docs=settings.docs_enabled, extra=extra)


_default = build_urlconf(production=False, docs=True)
urlpatterns: list[URLPattern] = _default.urlpatterns  # type: ignore[attr-defined]
handler400 = bad_request
handler403 = permission_denied
handler404 = page_not_found
handler500 = server_error
