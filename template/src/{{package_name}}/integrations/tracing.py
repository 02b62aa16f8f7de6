"""Tracing (core/tracing.py): the tracer provider, a server span per request and per WebSocket connection, and a span
per statement.

The server spans are the service's own (core/tracing.py's `ServerSpans`, the outermost of the service's layers:
`tracing_framework.server_spans`): each continues the caller's `traceparent`, and is named by the route once the
framework has matched it (`SpanRoute`, told by the telemetry middleware). The statements' spans come from the
database layer's own hook (`tracing_framework.trace_database`). Nothing here is installed while tracing is off.
"""

from __future__ import annotations

from ..config import Settings
from ..core.tracing import SpanRoute, configure_tracing
from .base import Wiring
from .integration import Integration
from .tracing_framework import trace_database


def install(settings: Settings, wiring: Wiring) -> None:
    provider = configure_tracing(settings)
    if provider is not None:
        wiring.observers.append(SpanRoute())  # names the server span by its route
        trace_database(wiring, provider)


INTEGRATION = Integration(order=1, install=install)  # first: the clients the others build are then traced
