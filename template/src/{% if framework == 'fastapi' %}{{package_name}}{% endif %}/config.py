"""Service configuration: one typed object, read once from the environment (and `.env`), passed everywhere.

The web-framework-neutral fields live in `core/settings.py`; FastAPI-only settings go here.
"""

from __future__ import annotations

from .core.settings import ConfigurationError, ServiceSettings

__all__ = ["ConfigurationError", "Settings", "load_settings"]


class Settings(ServiceSettings):
    """Every setting the service reads (see `ServiceSettings`)."""


load_settings = Settings.load
