"""What the service knows about its own state: dependency checks for readiness, and whether it is stopping.

A check is required (the database: without it the service cannot serve, so readiness answers 503 and the
orchestrator routes traffic elsewhere) or optional (Redis: a cache and a limiter that fail open, so the service
serves without it). A failing optional check reports `degraded` and leaves readiness at 200: taking every replica
out of service because a shared cache is down would turn a degradation into an outage.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DependencyCheck = Callable[[], Awaitable[None]]
"""Returns when the dependency is usable; raises (anything) when it is not."""


class NotReady(Exception):  # noqa: N818 - a state to report, not an error of the service
    """Raised by a check whose message is safe to publish in every environment (it says what to do, e.g. "run
    the migrations", and carries nothing internal). Any other exception's text is shown in development only."""


class CheckResult(BaseModel):
    # `detail` is always sent (null when the check passed): OpenAPI documents say it is required.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    status: Literal["ok", "degraded", "fail"] = Field(
        description="`fail`: a dependency the service cannot serve without; `degraded`: one it serves without"
    )
    duration_ms: float = Field(description="How long the check took")
    detail: str | None = Field(default=None, description="Why the check failed")


@dataclass
class ServiceState:
    check_timeout_s: float = 1.0
    expose_errors: bool = False
    """Put a failing check's exception text in its detail (development only: the text can carry addresses, hosts
    and configuration; elsewhere the detail says only that the dependency failed)."""
    checks: dict[str, DependencyCheck] = field(default_factory=dict)
    optional: set[str] = field(default_factory=set)
    """The checks whose failure degrades the service instead of making it unready."""
    failure_listeners: list[Callable[[str], None]] = field(default_factory=list)
    """Called with a check's name each time it fails (metrics count them)."""
    shutting_down: bool = False
    shutdown_listeners: list[Callable[[], None]] = field(default_factory=list)
    """Called once, on the event loop, when shutdown begins, after readiness has turned 503 (the WebSocket gate
    closes its open sockets with 1012)."""

    def add_check(self, name: str, check: DependencyCheck, *, required: bool = True) -> None:
        """`required=False`: the service serves without this dependency (readiness stays 200, the check says
        `degraded`)."""
        self.checks[name] = check
        if required:
            self.optional.discard(name)
        else:
            self.optional.add(name)

    def begin_shutdown(self) -> None:
        if self.shutting_down:
            return
        self.shutting_down = True
        for listener in self.shutdown_listeners:
            listener()

    async def run_checks(self) -> dict[str, CheckResult]:
        names = list(self.checks)
        results = await asyncio.gather(*(self._run(name, self.checks[name]) for name in names))
        return dict(zip(names, results, strict=True))

    def ready(self, checks: dict[str, CheckResult]) -> bool:
        """Whether the service takes traffic: not stopping, and every required check passed."""
        return not self.shutting_down and all(result.status != "fail" for result in checks.values())

    async def _run(self, name: str, check: DependencyCheck) -> CheckResult:
        start = time.perf_counter()
        detail: str | None = None
        try:
            await asyncio.wait_for(check(), timeout=self.check_timeout_s)
        except TimeoutError:
            detail = f"no answer within {self.check_timeout_s:g} s"
        except Exception as exc:  # a failing dependency is a result, not an error
            detail = _describe(exc) if self.expose_errors or isinstance(exc, NotReady) else "unavailable"
        duration_ms = round((time.perf_counter() - start) * 1000, 3)
        if detail is None:
            return CheckResult(status="ok", duration_ms=duration_ms)
        for listener in self.failure_listeners:
            listener(name)
        status: Literal["degraded", "fail"] = "degraded" if name in self.optional else "fail"
        return CheckResult(status=status, duration_ms=duration_ms, detail=detail)


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
