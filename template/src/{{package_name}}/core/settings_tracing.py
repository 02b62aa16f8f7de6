"""Tracing's settings (core/tracing.py), a section of `ServiceSettings`: OpenTelemetry's standard variables, checked
at start like every other setting (a sampler the SDK does not know would otherwise be a warning and a silent
fallback to tracing everything)."""

from __future__ import annotations

from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field, field_validator

from .setting_sections import SettingsSection

Sampler = Literal[
    "always_on",
    "always_off",
    "traceidratio",
    "parentbased_always_on",
    "parentbased_always_off",
    "parentbased_traceidratio",
]


class TracingSettings(SettingsSection):
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None,
        description="The OTLP/HTTP collector's base URL (`/v1/traces` is added); unset: no tracing at all",
    )
    otel_exporter_otlp_protocol: Literal["http/protobuf"] = Field(
        default="http/protobuf", description="The only protocol this service exports with"
    )
    otel_traces_sampler: Sampler = Field(default="parentbased_always_on", description="Which traces are recorded")
    otel_traces_sampler_arg: float | None = Field(
        default=None, ge=0.0, le=1.0, description="The ratio of the *traceidratio samplers (1.0 when unset)"
    )
    otel_service_name: str | None = Field(default=None, description="`service.name` (default: the package's name)")
    otel_resource_attributes: str | None = Field(
        default=None, description="More resource attributes, `key=value,key=value` (W3C Baggage's format)"
    )
    otel_sdk_disabled: bool = Field(default=False, description="true: no tracing, whatever else is set")

    @field_validator("otel_exporter_otlp_endpoint", "otel_service_name", "otel_resource_attributes", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("otel_exporter_otlp_protocol", mode="before")
    @classmethod
    def _protocol(cls, value: object) -> object:
        if isinstance(value, str) and value.strip() != "http/protobuf":
            raise ValueError("must be http/protobuf (the only OTLP protocol this service exports with)")
        return value

    @field_validator("otel_exporter_otlp_endpoint")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        if value is None:
            return None
        url = urlsplit(value.strip())
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError("must be an http:// or https:// URL (the collector's OTLP/HTTP base, e.g. :4318)")
        return value.strip().rstrip("/")

    @field_validator("otel_resource_attributes")
    @classmethod
    def _attributes(cls, value: str | None) -> str | None:
        if value is not None and any("=" not in pair for pair in value.split(",") if pair.strip()):
            raise ValueError("must be key=value pairs separated by commas")
        return value

    @property
    def tracing_enabled(self) -> bool:
        return self.otel_exporter_otlp_endpoint is not None and not self.otel_sdk_disabled

    @property
    def resource_attributes(self) -> dict[str, str]:
        """`OTEL_RESOURCE_ATTRIBUTES` as a mapping, then `OTEL_SERVICE_NAME` (which wins, as the specification says)."""
        attributes: dict[str, str] = {}
        for pair in (self.otel_resource_attributes or "").split(","):
            key, _, value = pair.partition("=")
            if key.strip():
                attributes[unquote(key.strip())] = unquote(value.strip())
        if self.otel_service_name is not None:
            attributes["service.name"] = self.otel_service_name
        return attributes
