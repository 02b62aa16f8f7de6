"""Service configuration: one typed object, read once from the environment (and `.env`), passed everywhere."""

from __future__ import annotations

import json
from typing import Annotated, Literal, get_args

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Environment = Literal["development", "test", "staging", "production"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
LogFormat = Literal["json", "console"]
_LOG_LEVELS = frozenset(get_args(LogLevel))


class Settings(BaseSettings):
    """Every setting the service reads. Environment variables are unprefixed (`PORT`, not `APP_PORT`)."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        # Validation errors must never echo values: some of them are secrets.
        hide_input_in_errors=True,
    )

    environment: Environment = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: LogLevel = "INFO"
    # None means "json everywhere except development", resolved in `effective_log_format`.
    log_format: LogFormat | None = None
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    cors_allow_credentials: bool = False
    forwarded_allow_ips: str = "127.0.0.1"
    max_body_size: int = Field(default=1_048_576, ge=1, description="Largest accepted request body, in bytes")
    graceful_timeout: int = Field(default=10, ge=0, le=3600, description="Seconds to finish in-flight requests")
    docs_enabled: bool = True

    @field_validator("log_level", "log_format", "environment", mode="before")
    @classmethod
    def _normalise_case(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            return value.upper() if value.upper() in _LOG_LEVELS else value.lower()
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _parse_origins(cls, value: object) -> object:
        """Accept a JSON list (`["https://a.example"]`) or a comma-separated string (`https://a,https://b`)."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            try:
                return json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError("is not a valid JSON list; use a JSON list or comma-separated origins") from exc
        return [origin.strip() for origin in text.split(",") if origin.strip()]

    @field_validator("cors_origins")
    @classmethod
    def _check_origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            if origin != "*" and not origin.startswith(("http://", "https://")):
                raise ValueError(f"origin {origin!r} must start with http:// or https:// (or be '*')")
            if origin.endswith("/"):
                raise ValueError(f"origin {origin!r} must not end with '/' (browsers send origins without one)")
        return origins

    @model_validator(mode="after")
    def _refuse_unsafe_combinations(self) -> Settings:
        if "*" in self.cors_origins and self.cors_allow_credentials:
            raise ValueError(
                "CORS_ORIGINS='*' with CORS_ALLOW_CREDENTIALS=true lets every website make credentialed requests; "
                "list the allowed origins explicitly"
            )
        if self.is_production and "*" in self.cors_origins:
            raise ValueError("CORS_ORIGINS='*' is refused in production; list the allowed origins explicitly")
        if self.is_production and self.log_level == "DEBUG":
            raise ValueError("LOG_LEVEL=DEBUG is refused in production: debug logs may carry personal data")
        return self

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @property
    def effective_log_format(self) -> LogFormat:
        if self.log_format is not None:
            return self.log_format
        return "console" if self.is_development else "json"


class ConfigurationError(Exception):
    """Raised when the environment does not describe a valid configuration; `str()` is safe to print."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def load_settings(**overrides: object) -> Settings:
    """Read the settings once, turning pydantic's error into one line per problem and never echoing a value."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_input=False, include_url=False):
            name = "_".join(str(part) for part in error["loc"]).upper() or "configuration"
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{name}: {message}")
        raise ConfigurationError(problems) from None
