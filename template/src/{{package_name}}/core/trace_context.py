"""The trace a log line, an error report or a job belongs to (OpenTelemetry's API only: cheap to import everywhere).

Everything here does nothing while tracing is off (`core/tracing.py` turns `TRACING` on once it has set the
process's tracer provider): a log line, a request and a deferred job then cost one attribute read more, no more.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, Final

from opentelemetry import propagate, trace
from opentelemetry.trace import Span, SpanKind


class TracingSwitch:
    """Whether this process traces: set once, by `core/tracing.py`, when it installs the tracer provider; `tracer` is
    that provider's, for the spans made here."""

    on: bool = False
    tracer: trace.Tracer = trace.NoOpTracer()


TRACING: Final = TracingSwitch()

UNTRACED_PATHS: Final = ("/health", "/metrics", "/docs", "/redoc", "/openapi.json", "/asyncapi.json")
"""Paths (and everything under them) that make no span: probes, scrapes and documentation pages would bury the
requests worth following under thousands of traces of their own."""


_UNDER_UNTRACED: Final = tuple(f"{prefix}/" for prefix in UNTRACED_PATHS)


def is_untraced(path: str) -> bool:
    return path in UNTRACED_PATHS or path.startswith(_UNDER_UNTRACED)  # one look-up per request


def trace_ids() -> tuple[str, str] | None:
    """The (trace id, span id) of the sampled span being recorded here, in W3C's hex form; None outside one (or
    while tracing is off): a log line names a trace only when that trace can be found."""
    if not TRACING.on:
        return None
    context = trace.get_current_span().get_span_context()
    if not context.is_valid or not context.trace_flags.sampled:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


def trace_carrier() -> dict[str, str]:
    """The current trace context as W3C headers (`traceparent`, `tracestate`): what a job carries to the worker.
    Empty while tracing is off or outside a span."""
    if not TRACING.on:
        return {}
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def span(name: str, kind: SpanKind, attributes: Mapping[str, str | int]) -> AbstractContextManager[Span | None]:
    """A span, the current span's child, made current while the block runs; nothing at all while tracing is off.
    For the calls the service makes (`SpanKind.CLIENT`: the JWKS fetch, an SMTP send; a call that no request or job
    made is left out by core/tracing.py's sampler) and a WebSocket's messages (`CONSUMER`, `PRODUCER`)."""
    if not TRACING.on:
        return nullcontext()
    return TRACING.tracer.start_as_current_span(name, kind=kind, attributes=attributes)


@contextmanager
def job_span(
    task: str, job_id: int | None, queue: str | None, carrier: Mapping[str, Any] | None, *, system: str
) -> Iterator[None]:
    """While a job runs: a consumer span, the child of the span that deferred the job when `carrier` holds its
    context (a job deferred while serving a request joins that request's trace), else the root of a trace of its own
    (a periodic job). The job's database spans are its children."""
    if not TRACING.on:
        yield
        return
    headers = {str(key): str(value) for key, value in carrier.items()} if isinstance(carrier, Mapping) else {}
    attributes: dict[str, str | int] = {
        "messaging.system": system,  # the job queue's library
        "messaging.operation.type": "process",
        "messaging.destination.name": queue or "default",
        "code.function.name": task,
    }
    if job_id is not None:
        attributes["messaging.message.id"] = str(job_id)
    tracer = trace.get_tracer(__name__)
    with tracer.start_as_current_span(
        f"process {task}", context=propagate.extract(headers), kind=SpanKind.CONSUMER, attributes=attributes
    ):
        yield
