"""Tracing for Django (core/tracing.py): the tracer provider, a server span per request and per WebSocket connection,
and a span per statement.

The server spans come from OpenTelemetry's ASGI instrumentation around the service's layers (`server_spans`, in
asgi.py): it continues the caller's `traceparent`, and the span is named by the route once Django has matched it
(`SpanRoute`, told by the telemetry middleware). The statements' spans come from Django's own hook around every
statement (`execute_wrapper`), on PostgreSQL as on SQLite; the job queue's own connections (polling) make none.
Nothing here is installed while tracing is off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from opentelemetry import trace
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanKind, Tracer

from ..config import Settings
from ..core.asgi_types import ASGIApp, Receive, Scope, Send
from ..core.trace_context import is_untraced
from ..core.tracing import ROOT_DRAW, SpanRoute, configure_tracing, tracer_provider
from .base import Integration, Wiring


def install(settings: Settings, wiring: Wiring) -> None:
    provider = configure_tracing(settings)
    if provider is None:
        return
    wiring.observers.append(SpanRoute())
    STATEMENT_SPANS.tracer = provider.get_tracer(__name__)
    connection_created.connect(_add_statement_spans, dispatch_uid="tracing-statement-spans")


INTEGRATION = Integration(order=1, install=install)  # first: the clients the others build are then traced


def span_details(scope: Scope) -> tuple[str, dict[str, Any]]:
    """The span's name until the route is known (`SpanRoute`): the method alone, never the raw path (ids)."""
    if scope["type"] == "websocket":
        return f"WS {scope['path']}", {}
    return scope.get("method", "HTTP"), {}


class ServerSpans:
    """A server span around each request and WebSocket connection, but those of `is_untraced` paths (probes,
    metrics, docs) and those the sampler leaves out (`ROOT_DRAW`). The instrumentation's own spans per ASGI message
    are left out: they would double the cost of a request for no insight (a WebSocket's messages have spans of their
    own, core/websockets.py)."""

    def __init__(self, app: ASGIApp, provider: TracerProvider) -> None:
        self.app = app
        # Given a coroutine function: asgiref would take an object whose `__call__` returns an awaitable for an ASGI 2
        # application, and call it with the scope alone.
        self.traced: ASGIApp = OpenTelemetryMiddleware(
            self._serve, default_span_details=span_details, tracer_provider=provider, exclude_spans=["receive", "send"]
        )

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] in ("http", "websocket")
            and not is_untraced(scope["path"])
            and not ROOT_DRAW.left_out(scope["headers"])  # the sampler's draw, before any span
        ):
            await self.traced(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def server_spans(app: ASGIApp) -> ASGIApp:
    """`app` with server spans while tracing is on; `app` itself while it is off."""
    provider = tracer_provider()
    return app if provider is None else ServerSpans(app, provider)


class StatementSpans:
    """An `execute_wrapper` (Django's hook around every statement): a client span per statement, the child of the
    request's or the job's span. The SQL as Django sends it: placeholders, never the values."""

    tracer: Tracer | None = None

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        if self.tracer is None or not trace.get_current_span().is_recording():
            # Tracing off, or a request (or job) the sampler left out: its statements would be too, at a span's cost.
            return execute(sql, params, many, context)
        connection = context["connection"]
        attributes = {"db.system.name": connection.vendor, "db.query.text": sql}
        operation = sql.split(None, 1)[0].upper() if sql.strip() else "SQL"
        with self.tracer.start_as_current_span(operation, kind=SpanKind.CLIENT, attributes=attributes):
            return execute(sql, params, many, context)


STATEMENT_SPANS: Final = StatementSpans()


def _add_statement_spans(sender: object, connection: BaseDatabaseWrapper, **_: object) -> None:
    # Django keeps one connection object per thread and alias, which connects again after each request (this
    # signal): the hook is added once per object.
    if STATEMENT_SPANS not in connection.execute_wrappers:
        connection.execute_wrappers.append(STATEMENT_SPANS)
