"""Optional integrations chosen when the project was generated; each one lives in its own module here.

A module that is an integration says so with `INTEGRATION = Integration(order, install)` (base.py), and
`install_integrations` installs every one present, in order: adding or removing an integration is adding or
removing its module, with no list to keep in step. The other modules here are the integrations' helpers.
"""

from __future__ import annotations

from fastapi import FastAPI

from ..config import Settings
from ..core.discovery import declarations
from .base import Integration, Wiring


def present_integrations() -> list[Integration]:
    """The integrations of this service, in install order. A module with an `install` function and no `INTEGRATION`
    stops the start: it would otherwise be left out without a word."""
    found = declarations(__name__, "INTEGRATION", Integration, sign="install")
    return sorted(found, key=lambda integration: integration.order)


def install_integrations(app: FastAPI, settings: Settings, wiring: Wiring) -> None:
    """Called by `create_app` before the API routes and the middleware are added."""
    for integration in present_integrations():
        integration.install(app, settings, wiring)
