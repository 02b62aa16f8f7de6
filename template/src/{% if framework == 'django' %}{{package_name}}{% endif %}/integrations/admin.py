"""The Django admin's page policy: its pages load their CSS and scripts from this origin (/static/) and post forms
to it; nothing inline, nothing from elsewhere. The routes themselves are in urls.py (when ADMIN_ENABLED)."""

from __future__ import annotations

from typing import Final

from ..config import Settings
from .base import Wiring
from .integration import Integration

ADMIN_PATH: Final = "/admin"  # a prefix: /admin and everything under /admin/
ADMIN_PAGE_POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def install(settings: Settings, wiring: Wiring) -> None:
    if settings.effective_admin_enabled:
        wiring.page_policies[ADMIN_PATH] = ADMIN_PAGE_POLICY


INTEGRATION = Integration(order=5, install=install)
