"""The item routes, under /api/v1/ (urls.py includes them): `items` and `items/<item_id>`."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from .views import ItemViewSet

# No trailing slashes: `/api/v1/items/` is a 404, never a redirect. Path converters (`<str:item_id>`), no regex.
router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("items", ItemViewSet, basename="items")

urlpatterns = router.urls
