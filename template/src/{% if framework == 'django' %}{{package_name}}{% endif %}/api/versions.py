"""Versioned APIs on Django (core/api_versions.py, README: "Versioned APIs"): a resource's `urls` included again
under its next version in urls.py, and the versions being retired declared there in `API_DEPRECATIONS`."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings

from ..core.api_versions import Deprecation, document_deprecations


def api_deprecations() -> tuple[Deprecation, ...]:
    """The URL configuration's `API_DEPRECATIONS` (urls.py): the resource versions being retired."""
    urlconf = settings.ROOT_URLCONF  # a module path, or (Django allows it) the module itself
    module = import_module(urlconf) if isinstance(urlconf, str) else urlconf
    deprecations: tuple[Deprecation, ...] = getattr(module, "API_DEPRECATIONS", ())
    return deprecations


def document_api_deprecations(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook: operations under a retired version are flagged, with their headers."""
    return document_deprecations(result, api_deprecations())
