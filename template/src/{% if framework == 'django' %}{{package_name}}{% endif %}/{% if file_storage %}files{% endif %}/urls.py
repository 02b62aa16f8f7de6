"""The file routes, under /api/v1/ (urls.py includes them): `files`, `files/uploads`, `files/<file_id>` and its
`content` and `complete`; and `<resource>/<id>/attachments` of each resource that takes attachments."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from .attachments import attachment_urls
from .views import FileViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("files", FileViewSet, basename="files")

urlpatterns = [*router.urls, *attachment_urls()]
