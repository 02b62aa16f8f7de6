"""The file routes, under /api/v1/ (urls.py includes them): `files`, `files/uploads`, `files/<file_id>` and its
`content` and `complete`."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from .views import FileViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("files", FileViewSet, basename="files")

urlpatterns = router.urls
