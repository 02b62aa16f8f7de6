"""Tracing's FastAPI part (`integrations/tracing.py` installs it): the server spans (the service's own `ServerSpans`,
outermost: FastAPI's own telemetry, off, would cost twice as much per recorded request), and a span per statement,
from SQLAlchemy's cursor events (`trace_statements`; no comment added to the SQL: sqlcommenter would make each
statement unique and defeat the prepared statement caches) and the timing hook of the reads by id that `fetch_one`
sends to asyncpg itself.
"""

from __future__ import annotations

import time
from typing import Final

from fastapi.telemetry import TelemetryConfig
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Status, StatusCode
from sqlalchemy import event
from sqlalchemy.engine import Connection, ExceptionContext, ExecutionContext
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.middleware import Middleware

from ..core.tracing import ServerSpans, statement_span, tracer_provider
from ..database import observe_direct_statements
from .base import Wiring

TRACER_NAME: Final = f"{__package__}.tracing"
"""The instrumentation scope of the service's spans (`integrations.tracing`, whichever module makes them)."""


def native_telemetry() -> TelemetryConfig:
    """FastAPI's own telemetry, off (one flag read per request): `server_spans`, Prometheus and the log lines."""
    return {"tracing": False, "metrics": False, "logs": False, "operation_spans": False, "auto_configure": False}


def server_spans() -> list[Middleware]:
    """The outermost layer while tracing is on (a server span around the rest); none while it is off."""
    provider = tracer_provider()
    return [] if provider is None else [Middleware(ServerSpans, tracer=provider.get_tracer(TRACER_NAME))]


def trace_statements(engine: AsyncEngine, provider: TracerProvider) -> None:
    """A client span per statement `engine` runs, a child of the request's or the job's span, from SQLAlchemy's own
    cursor events: no span for taking a connection from the pool, no patched class, and a request the sampler left
    out costs one check per statement. The SQL as sent, placeholders and all."""
    tracer = provider.get_tracer(TRACER_NAME)
    system = engine.dialect.name

    def started(  # noqa: PLR0917 (SQLAlchemy's event signature)
        conn: Connection,
        cursor: object,
        statement: str,
        parameters: object,
        context: ExecutionContext | None,
        executemany: bool,
    ) -> None:
        del cursor, parameters, executemany
        if context is None or not trace.get_current_span().is_recording():
            return  # tracing a request (or job) the sampler left out: its statements would be left out too
        conn.info[_STATEMENT_SPAN] = statement_span(tracer, system, statement)

    def finished(conn: Connection, *_: object) -> None:
        span = conn.info.pop(_STATEMENT_SPAN, None)
        if span is not None:
            span.end()

    def failed(failure: ExceptionContext) -> None:
        span = failure.connection.info.pop(_STATEMENT_SPAN, None) if failure.connection is not None else None
        if span is not None:
            span.set_status(Status(StatusCode.ERROR, type(failure.original_exception).__name__))
            span.end()

    event.listen(engine.sync_engine, "before_cursor_execute", started)
    event.listen(engine.sync_engine, "after_cursor_execute", finished)
    event.listen(engine.sync_engine, "handle_error", failed)

    def direct_statement(sql: str, seconds: float) -> None:
        if not trace.get_current_span().is_recording():
            return
        # Told once the statement has run: the span is drawn where it ran.
        ended = time.time_ns()
        statement_span(tracer, system, sql, start_time=ended - int(seconds * 1e9)).end(end_time=ended)

    observe_direct_statements(engine, direct_statement)


_STATEMENT_SPAN = "tracing.statement_span"
"""Where a connection keeps the span of the statement it is running (`Connection.info`)."""


def trace_database(wiring: Wiring, provider: TracerProvider) -> None:
    if wiring.engine is not None:
        trace_statements(wiring.engine, provider)
