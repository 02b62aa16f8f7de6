"""Service configuration: one typed object, read once from the environment (and `.env`), passed everywhere.

The web-framework-neutral settings live in `core/settings.py`; Django's own follow.
"""

from __future__ import annotations

import os
from typing import Annotated

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import NoDecode

from .core.setting_sections import is_production, parse_list
from .core.settings import ConfigurationError, ServiceSettings

__all__ = ["ConfigurationError", "Settings", "load_settings", "service_settings"]

# Signs nothing that outlives a development or test process; refused in staging and production.
DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-key-never-use-it-in-staging-or-production"  # noqa: S105
MIN_SECRET_KEY_LENGTH = 50
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


class Settings(ServiceSettings):
    """Every setting the service reads (see `ServiceSettings`), plus Django's."""

    secret_key: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_SECRET_KEY), validate_default=True, description="Django's SECRET_KEY"
    )
    allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=lambda: list(_LOCAL_HOSTS))
    csrf_trusted_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Read only to refuse it: releases before DATABASE_URL kept the SQLite file at DATABASE_PATH, and a deployment
    # still setting it would otherwise start on a new, empty file.
    database_path: str | None = Field(default=None, description="Replaced by DATABASE_URL")
    # None means "on except in production": the Django admin at /admin/ (sign in with `manage.py createsuperuser`).
    admin_enabled: bool | None = None

    @field_validator("secret_key")
    @classmethod
    def _check_secret_key(cls, key: SecretStr, info: ValidationInfo) -> SecretStr:
        environment = info.data.get("environment")
        if environment in ("staging", "production"):
            if key.get_secret_value() == DEVELOPMENT_SECRET_KEY:
                raise ValueError(f"must be set in {environment} (the development key is public)")
            if len(key.get_secret_value()) < MIN_SECRET_KEY_LENGTH:
                raise ValueError(f"must be at least {MIN_SECRET_KEY_LENGTH} characters long")
        return key

    @field_validator("database_path")
    @classmethod
    def _replaced_by_database_url(cls, path: str | None) -> None:
        if path is not None:
            raise ValueError("is no longer read: set DATABASE_URL=sqlite:///<that path> instead (or a PostgreSQL URL)")

    @field_validator("allowed_hosts", "csrf_trusted_origins", mode="before")
    @classmethod
    def _parse_lists(cls, value: object) -> object:
        return parse_list(value)

    @field_validator("allowed_hosts")
    @classmethod
    def _no_wildcard_host_in_production(cls, hosts: list[str], info: ValidationInfo) -> list[str]:
        if "*" in hosts and is_production(info):
            raise ValueError("'*' is refused in production; list the host names the service answers to")
        return hosts

    @field_validator("csrf_trusted_origins")
    @classmethod
    def _check_trusted_origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            if not origin.startswith(("http://", "https://")):
                raise ValueError(f"origin {origin!r} must start with http:// or https://")
        return origins

    @property
    def effective_admin_enabled(self) -> bool:
        if self.admin_enabled is not None:
            return self.admin_enabled
        return not self.is_production


load_settings = Settings.load


def service_settings() -> Settings:
    """The settings Django's settings module read (it exits with one line per problem when they are invalid): what
    `server.py` serves and every command (`migrate`, `users`, the worker) runs with."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"{__package__}.settings")
    from django.conf import settings as django_settings  # noqa: PLC0415 - after DJANGO_SETTINGS_MODULE is set

    settings: Settings = django_settings.SERVICE_SETTINGS
    return settings
