"""The process entry point: settings, logging, the FastAPI app, then the HTTP server as `core/server.py` configures
it."""

from __future__ import annotations

import sys

from fastapi import FastAPI

from .app import create_app
from .config import ConfigurationError, load_settings
from .context import app_context
from .core.heap import mark_serving
from .core.logs import configure_logging
from .core.server import serve
from .core.settings import report_configuration_error
from .route_guards import UndeclaredAccessError


def app_from_environment() -> FastAPI:
    """The app for several worker processes (`core/server.py` names the command that starts them).

    `python -m <package>` (one process) is the usual entry point.
    """
    settings = load_settings()
    if problems := settings.serving_problems():
        raise SystemExit(report_configuration_error(ConfigurationError(problems)))
    configure_logging(settings)
    mark_serving()
    return create_app(settings)


def main() -> int:
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        return report_configuration_error(exc)
    if problems := settings.serving_problems():  # the worker's rule too (core/settings.py)
        return report_configuration_error(ConfigurationError(problems))
    configure_logging(settings)
    mark_serving()
    try:
        app = create_app(settings)
    except UndeclaredAccessError as exc:  # a route of the service's own code: say which, without a traceback
        print(f"The service cannot start: {exc}", file=sys.stderr)
        return 1
    return serve(app, app_context(app).service, settings)
