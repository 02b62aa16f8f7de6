"""What the health endpoints answer, the same from every web framework: `/health/live` (the process serves HTTP),
`/health/ready` (the service can take traffic: core/lifecycle.py's rule) and `/health` (a summary for humans and
monitors). Each framework's api/health.py routes them and documents them in its OpenAPI document."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .lifecycle import CheckResult, ServiceState
from .settings import ServiceSettings

# Every field is always sent, so the schema marks even those with defaults as required.
ALWAYS_SENT = ConfigDict(json_schema_serialization_defaults_required=True)


class Liveness(BaseModel):
    model_config = ALWAYS_SENT

    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    model_config = ALWAYS_SENT

    status: Literal["ok", "degraded"] = Field(
        default="ok", description="`degraded`: a dependency the service serves without is failing (see `checks`)"
    )
    checks: dict[str, CheckResult] = Field(description="One entry per dependency the service uses")


class HealthSummary(BaseModel):
    model_config = ALWAYS_SENT

    status: Literal["ok", "degraded", "shutting_down"]
    version: str
    environment: str
    database: str = Field(description="Engine and database name (`postgresql/app`), never the host or credentials")
    checks: dict[str, CheckResult]

    @property
    def http_status(self) -> int:
        """200 while everything is ok; 503 when degraded or shutting down (a monitor sees it without parsing)."""
        return 200 if self.status == "ok" else 503


def not_ready(state: ServiceState, checks: dict[str, CheckResult]) -> str | None:
    """The detail of readiness' 503 when the service cannot take traffic (it is stopping, or a dependency it cannot
    serve without failed); None while it can."""
    if state.ready(checks):
        return None
    if state.shutting_down:
        return "Not ready: shutting down"
    failed = [name for name, result in checks.items() if result.status == "fail"]
    return f"Not ready: {', '.join(failed)} failed"


def readiness(checks: dict[str, CheckResult]) -> Readiness:
    """Readiness' 200: `degraded` while a dependency the service serves without is failing."""
    degraded = any(result.status != "ok" for result in checks.values())
    return Readiness(status="degraded" if degraded else "ok", checks=checks)


def encoded_checks(checks: dict[str, CheckResult]) -> dict[str, object]:
    """The checks as readiness' 503 carries them (a member of its problem+json body)."""
    return {name: result.model_dump() for name, result in checks.items()}


def health_summary(
    state: ServiceState, checks: dict[str, CheckResult], settings: ServiceSettings, *, version: str
) -> HealthSummary:
    status: Literal["ok", "degraded", "shutting_down"] = "ok"
    if state.shutting_down:
        status = "shutting_down"
    elif any(result.status != "ok" for result in checks.values()):
        status = "degraded"
    return HealthSummary(
        status=status,
        version=version,
        environment=settings.environment,
        database=settings.database.describe(),
        checks=checks,
    )
