"""Service configuration: one typed object, read once from the environment (and `.env`), passed everywhere.

The web-framework-neutral fields live in `core/settings.py`; FastAPI-only settings go here.
"""

from __future__ import annotations

from .core.settings import ConfigurationError, ServiceSettings, report_configuration_error

__all__ = ["ConfigurationError", "Settings", "load_settings", "service_settings"]


class Settings(ServiceSettings):
    """Every setting the service reads (see `ServiceSettings`)."""


load_settings = Settings.load


def service_settings() -> Settings:
    """The settings the worker and the queue's commands run with; exits with one line per problem when invalid."""
    try:
        return load_settings()
    except ConfigurationError as exc:
        raise SystemExit(report_configuration_error(exc)) from None
