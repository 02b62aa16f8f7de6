"""The audit app's routes, included under /api/v1/ by urls.py: `/api/v1/audit-events`."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from .views import AuditEventViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("audit-events", AuditEventViewSet, basename="audit_events")

urlpatterns: list[URLPattern | URLResolver] = [path("", include(router.urls))]
