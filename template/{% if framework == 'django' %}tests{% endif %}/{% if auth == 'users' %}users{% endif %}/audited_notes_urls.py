"""The URL configuration of tests/users/test_audited_resources.py: its two notes resources and the audit trail."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from .test_audited_resources import AUDIT_URLS, AuditedNoteViewSet, PlainNoteViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("audited-notes", AuditedNoteViewSet, basename="audited_notes")
router.register("plain-notes", PlainNoteViewSet, basename="plain_notes")
urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", include(router.urls)),
    path("api/v1/", include(AUDIT_URLS)),
]
