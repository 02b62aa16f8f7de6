"""Optional integrations chosen when the project was generated; each one lives in its own module here.

Each declares itself (`integration.py`) and is installed into the process's one `Wiring` (`base.py`); the ASGI
layers and the views read it. The other modules here are the integrations' helpers.

`wiring()` is the process's one `Wiring`, built from `settings.SERVICE_SETTINGS` the first time anything needs it
(the ASGI application, a view). Tests that change the service settings call `wiring.cache_clear()`.
"""

from __future__ import annotations

import functools

from django.apps import apps
from django.conf import settings as django_settings

from ..config import Settings
from ..core.lifecycle import ServiceState
from ..database import check_database, pool_stats
from .base import AddsToWiring, Wiring
from .integration import Integration, install_integrations, present_integrations

__all__ = ["Integration", "install_integrations", "present_integrations", "wiring"]


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
