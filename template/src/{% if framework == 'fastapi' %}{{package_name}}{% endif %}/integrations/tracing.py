"""Tracing for FastAPI (core/tracing.py): the tracer provider, FastAPI's own server spans, and the database's.

FastAPI's own telemetry (`FastAPI(telemetry=native_telemetry())`) makes one server span per request and per
WebSocket connection, continuing the caller's `traceparent`, around every layer of the app; it follows the global
tracer provider, so it does nothing until `configure_tracing` has set one. SQLAlchemy's instrumentation makes a span
per statement (without sqlcommenter: a comment per statement would make each one unique and defeat the prepared
statement caches), and the reads by id that `fetch_one` sends to asyncpg itself get theirs from its timing hook.
"""

from __future__ import annotations

import time
from collections.abc import MutableMapping
from typing import Any

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanKind
from sqlalchemy.ext.asyncio import AsyncEngine

from ..config import Settings
from ..core.trace_context import is_untraced
from ..core.tracing import configure_tracing
from ..database import observe_direct_statements
from .base import Integration, Wiring


def untraced(scope: MutableMapping[str, Any]) -> bool:
    return is_untraced(scope.get("path", ""))


def native_telemetry() -> TelemetryConfig:
    """FastAPI's own spans, and only those: Prometheus has the metrics and the service's log lines the rest."""
    return {"tracing": True, "metrics": False, "logs": False, "operation_spans": False, "exclude": untraced}


def trace_statements(engine: AsyncEngine, provider: TracerProvider) -> None:
    """A client span per statement `engine` runs, a child of the request's or the job's span."""
    # The instrumentation declares SQLAlchemy < 2.1 and would otherwise do nothing on 2.1, whose engine events it
    # uses unchanged: tests/test_tracing.py fails if a release breaks that (no statement spans).
    SQLAlchemyInstrumentor().instrument(
        engine=engine.sync_engine, tracer_provider=provider, enable_commenter=False, skip_dep_check=True
    )
    tracer = provider.get_tracer(__name__)
    system = engine.dialect.name

    def direct_statement(sql: str, seconds: float) -> None:
        # Told once the statement has run: the span is drawn where it ran.
        ended = time.time_ns()
        span = tracer.start_span(
            sql.split(None, 1)[0].upper(),
            kind=SpanKind.CLIENT,
            start_time=ended - int(seconds * 1e9),
            attributes={"db.system.name": system, "db.query.text": sql},
        )
        span.end(end_time=ended)

    observe_direct_statements(engine, direct_statement)


def install(app: FastAPI, settings: Settings, wiring: Wiring) -> None:
    del app  # its server spans are FastAPI's own (`native_telemetry`)
    provider = configure_tracing(settings)
    if provider is not None and wiring.engine is not None:
        trace_statements(wiring.engine, provider)


INTEGRATION = Integration(order=1, install=install)  # first: the clients the others build are then traced
