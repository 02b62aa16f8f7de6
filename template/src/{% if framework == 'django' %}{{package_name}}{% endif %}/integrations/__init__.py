"""Optional integrations chosen when the project was generated; each one lives in its own module here.

A module that is an integration says so with `INTEGRATION = Integration(order, install)` (base.py), and
`install_integrations` installs every one present, in order: adding or removing an integration is adding or
removing its module, with no list to keep in step. The other modules here are the integrations' helpers.

`wiring()` is the process's one `Wiring`, built from `settings.SERVICE_SETTINGS` the first time anything needs it
(the ASGI application, a view). Tests that change the service settings call `wiring.cache_clear()`.
"""

from __future__ import annotations

import functools

from django.apps import apps
from django.conf import settings as django_settings

from ..config import Settings
from ..core.discovery import declarations
from ..core.lifecycle import ServiceState
from ..database import check_database, pool_stats
from .base import AddsToWiring, Integration, Wiring


def present_integrations() -> list[Integration]:
    """The integrations of this service, in install order. A module with an `install` function and no `INTEGRATION`
    stops the start: it would otherwise be left out without a word."""
    found = declarations(__name__, "INTEGRATION", Integration, sign="install")
    return sorted(found, key=lambda integration: integration.order)


def install_integrations(settings: Settings, wiring: Wiring) -> None:
    for integration in present_integrations():
        integration.install(settings, wiring)


@functools.cache
def wiring() -> Wiring:
    """The service's wiring, built once from the Django settings' `SERVICE_SETTINGS`."""
    settings: Settings = django_settings.SERVICE_SETTINGS
    state = ServiceState(expose_errors=settings.is_development)
    state.add_check("database", check_database)
    built = Wiring(state=state, database_pool=pool_stats)
    install_integrations(settings, built)
    for app in apps.get_app_configs():
        if isinstance(app, AddsToWiring):
            app.install(settings, built)
    return built
