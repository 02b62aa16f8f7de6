"""Tracing's Django part (`integrations/tracing.py` installs it): the server spans (core/tracing.py's `ServerSpans`,
around the service's layers: `server_spans`, in asgi.py), and a span per statement from Django's own hook around
every statement (`execute_wrapper`), on PostgreSQL as on SQLite; the job queue's own connections (polling) make
none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode, Tracer

from ..core.asgi_types import ASGIApp
from ..core.tracing import ServerSpans, statement_span, tracer_provider
from .base import Wiring

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

TRACER_NAME: Final = f"{__package__}.tracing"
"""The instrumentation scope of the service's spans (`integrations.tracing`, whichever module makes them)."""


def trace_database(wiring: Wiring, provider: TracerProvider) -> None:
    del wiring  # the hook is Django's, on every connection it makes
    STATEMENT_SPANS.tracer = provider.get_tracer(TRACER_NAME)
    connection_created.connect(_add_statement_spans, dispatch_uid="tracing-statement-spans")


def server_spans(app: ASGIApp) -> ASGIApp:
    """`app` with server spans while tracing is on; `app` itself while it is off."""
    provider = tracer_provider()
    return app if provider is None else ServerSpans(app, provider.get_tracer(TRACER_NAME))


class StatementSpans:
    """An `execute_wrapper` (Django's hook around every statement): a client span per statement, the child of the
    request's or the job's span. The SQL as Django sends it: placeholders, never the values."""

    tracer: Tracer | None = None

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        if self.tracer is None or not trace.get_current_span().is_recording():
            # Tracing off, or a request (or job) the sampler left out: its statements would be too, at a span's cost.
            return execute(sql, params, many, context)
        span = statement_span(self.tracer, context["connection"].vendor, sql)
        try:
            return execute(sql, params, many, context)
        except Exception as error:
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
            raise
        finally:
            span.end()


STATEMENT_SPANS: Final = StatementSpans()


def _add_statement_spans(sender: object, connection: BaseDatabaseWrapper, **_: object) -> None:
    # Django keeps one connection object per thread and alias, which connects again after each request (this
    # signal): the hook is added once per object.
    if STATEMENT_SPANS not in connection.execute_wrappers:
        connection.execute_wrappers.append(STATEMENT_SPANS)
