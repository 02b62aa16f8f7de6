"""The URL configuration of tests/test_resources.py: its notes resource alone, under /api/v1/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from .test_resources import NoteViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("notes", NoteViewSet, basename="notes")
urlpatterns: list[URLPattern | URLResolver] = [path("api/v1/", include(router.urls))]
