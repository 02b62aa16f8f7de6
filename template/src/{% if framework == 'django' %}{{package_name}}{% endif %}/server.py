"""The process entry point: settings, logging, Django (asgi.py), migrations, then the HTTP server as
`core/server.py` configures it. `manage.py runserver` serves the same application with auto-reload."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from django.core.management.base import SystemCheckError

from .config import Settings, service_settings
from .core.heap import mark_serving
from .core.logs import configure_logging
from .core.server import serve
from .core.settings import ConfigurationError, report_configuration_error
from .migrate import migrate

if TYPE_CHECKING:
    from .asgi import ServiceApp


def configured_application() -> tuple[Settings, ServiceApp]:
    """Settings, then logging (before Django logs anything), then `asgi.application`."""
    settings = service_settings()
    if problems := settings.serving_problems():  # the worker's rule too (core/settings.py)
        raise SystemExit(report_configuration_error(ConfigurationError(problems)))
    configure_logging(settings)
    from .asgi import application  # noqa: PLC0415 - imports Django, which must log through our handlers

    return settings, application


def app_from_environment() -> ServiceApp:
    """The app for several worker processes (`core/server.py` names the command that starts them) and for
    `manage.py runserver`'s reloading worker. `python -m <package>` (one process) is the usual entry point.
    """
    mark_serving()
    settings, app = configured_application()
    if settings.effective_migrate_on_start:
        # The server calls the factory inside its event loop, where Django refuses database work: use a thread.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(migrate, settings).result()
    return app


def main() -> int:
    mark_serving()
    try:
        settings, app = configured_application()
    except SystemCheckError as refused:
        print(refused, file=sys.stderr)
        return 1
    if settings.effective_migrate_on_start:
        migrate(settings)
    return serve(app, app.wiring.state, settings)
