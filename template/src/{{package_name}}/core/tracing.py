"""Distributed tracing with OpenTelemetry: one trace from the caller through the service, its database and its jobs.

Off until `OTEL_EXPORTER_OTLP_ENDPOINT` is set (and `OTEL_SDK_DISABLED` is not true): no tracer provider, no
exporter (not even imported), no span, no server span layer, and nothing on the request path but one flag read
(core/trace_context.py). On, spans leave
through a batch processor, in a thread of its own: a request never waits for the collector, and a collector that is
down costs dropped spans (and a warning), never a request. OTLP over HTTP/protobuf; the standard variables
configure it (checked by core/settings_tracing.py), and the exporter reads the others it knows
(`OTEL_EXPORTER_OTLP_HEADERS`, `_TIMEOUT`, `_CERTIFICATE`, ...) from the environment itself.

One tracer provider per process, set by the first `configure_tracing` (the API's integration, or the worker's part).
The server spans are made here (`ServerSpans`, the outermost ASGI layer), the database spans by
the web framework's adapter; the rest that is framework-neutral is in core/trace_context.py (the ids on log lines and
error reports, the context a job carries to the worker).

What a recorded request costs was measured (bench/tracing.py), and shapes what is here: two spans per read (the
request's, its statement's), few attributes each (each is copied, checked and encoded to protobuf), no span per ASGI
message, the sampler's answer for a child of a recorded span without the configured sampler's chain, and the
resource's hash (the exporter groups every span by it) computed once instead of a JSON dump per span.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from typing import Final

from opentelemetry import context, propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import Link, SpanKind, StatusCode, Tracer
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes

from .asgi_types import ASGIApp, Receive, Scope, Send
from .middleware.telemetry import RequestObserver
from .redaction import redact
from .settings_tracing import TracingSettings
from .trace_context import TRACING, is_untraced

_provider: TracerProvider | None = None

URL_ATTRIBUTES: Final = frozenset({"url.query", "url.full", "http.target", "http.url"})
"""Span attributes that may carry a query string, hence a credential (`?token=...`): redacted as log lines are."""


class WithinWork(Sampler):
    """Leaves out a client span (a query, a command) that no request or job started: the pool's checks and the job
    queue's polling would otherwise each be a trace of their own, thousands an hour. With `roots_drawn`, a server span
    that starts a trace is recorded: `RootDraw.left_out` drew it already, before any span existed (at the ratio of
    1.0, every one). A child of a span this process records is recorded. Everything else is `inner`'s decision
    (OTEL_TRACES_SAMPLER)."""

    def __init__(self, inner: Sampler, *, roots_drawn: bool = False) -> None:
        self.inner = inner
        self.roots_drawn = roots_drawn

    def should_sample(  # noqa: PLR0917 (the SDK's signature)
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        parent = trace.get_current_span(parent_context).get_span_context()
        if not parent.is_valid:
            if kind is SpanKind.CLIENT:
                return SamplingResult(Decision.DROP)
            if kind is SpanKind.SERVER and self.roots_drawn:
                return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes)
        elif parent.trace_flags.sampled and not parent.is_remote:
            # A child of a span this process records (a statement of a recorded request): recorded, as every
            # parent-based sampler would say after its chain of checks; a trace is then never recorded in part.
            return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes, parent.trace_state)
        return self.inner.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return f"WithinWork{{{self.inner.get_description()}}}"


class RedactedUrls(SpanProcessor):
    """Redacts credentials from a span's URL attributes as it starts, before any exporter can see them."""

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        del parent_context
        attributes = span.attributes
        if attributes is None or URL_ATTRIBUTES.isdisjoint(attributes):  # most spans: one pass over the keys
            return
        for key in URL_ATTRIBUTES:
            value = attributes.get(key)
            if isinstance(value, str) and "=" in value:
                span.set_attribute(key, redact(value))


class SpanRoute(RequestObserver):
    """Names the request's server span by its route template once the router has matched it (`GET
    /api/v1/items/{item_id}`): a span named by the raw path would make every id a name of its own. With the status
    the client got (an error from 500 on). `ServerSpans` sits outside the router: the request's telemetry layer tells
    this observer what the router matched."""

    def finished(self, method: str, route: str | None, status: int, duration_s: float) -> None:
        del duration_s
        span = trace.get_current_span()  # the response is sent inside the server span: this is it
        if not span.is_recording():
            return
        if route is None:
            span.set_attribute("http.response.status_code", status)
        else:
            span.update_name(f"{method} {route}")
            span.set_attributes({"http.route": route, "http.response.status_code": status})
        if status >= 500:
            span.set_status(StatusCode.ERROR)


_PROPAGATED: Final = frozenset({b"traceparent", b"tracestate", b"baggage"})


class ServerSpans:
    """A server span around each HTTP request and WebSocket connection, the caller's `traceparent` continued,
    but those of `is_untraced` paths (probes, metrics, docs) and those the sampler leaves out (`ROOT_DRAW`). The
    outermost layer of the service, so every line written while serving names it. Named by the method until the
    route is known (`SpanRoute`), a WebSocket by its path.

    Not OpenTelemetry's ASGI instrumentation, nor FastAPI's own spans: they make the same span with more attributes
    (host, port, protocol version, each copied, checked and exported per request) and more layers per message;
    measured, this layer costs a recorded request less than half of what theirs did (bench/tracing.py)."""

    def __init__(self, app: ASGIApp, tracer: Tracer) -> None:
        self.app = app
        self.tracer = tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket") or is_untraced(scope["path"]) or ROOT_DRAW.left_out(scope["headers"]):
            await self.app(scope, receive, send)
            return
        carrier = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"] if name in _PROPAGATED
        }
        parent = propagate.extract(carrier) if carrier else None  # no caller's trace: a root in an empty context
        attributes: dict[str, str] = {"url.path": scope["path"], "url.scheme": scope.get("scheme", "http")}
        if kind == "http":
            name = attributes["http.request.method"] = scope["method"]
            if query := scope.get("query_string"):
                attributes["url.query"] = redact(query.decode("latin-1"))
        else:
            name = f"WS {scope['path']}"
            attributes["network.protocol.name"] = "websocket"
        span = self.tracer.start_span(name, context=parent, kind=SpanKind.SERVER, attributes=attributes)
        token = context.attach(trace.set_span_in_context(span, parent))
        try:
            await self.app(scope, receive, send)
        except BaseException as error:
            span.set_attribute("error.type", type(error).__qualname__)
            span.set_status(StatusCode.ERROR)
            raise
        finally:
            context.detach(token)
            span.end()


def root_ratio(settings: TracingSettings) -> float:
    """The share of the requests that start a trace (no `traceparent`) the sampler records."""
    if settings.otel_traces_sampler.endswith("always_on"):
        return 1.0
    if settings.otel_traces_sampler.endswith("always_off"):
        return 0.0
    return 1.0 if settings.otel_traces_sampler_arg is None else settings.otel_traces_sampler_arg


class RootDraw:
    """Which requests the sampler leaves out, decided before any span: one without a caller's `traceparent` is
    recorded at the root ratio. The server span's layer skips the ones left out entirely (no span, no context, no
    attributes): at a ratio of 0.01, 99 requests in 100 then cost this draw, not an unrecorded span each. A request
    with a `traceparent` goes to the sampler, which follows its caller's decision."""

    ratio: float = 1.0
    draw: Callable[[], float] = random.random  # a sampling draw, not a secret

    def left_out(self, headers: Iterable[tuple[bytes, bytes]]) -> bool:
        if self.ratio >= 1.0:
            return False
        for name, _ in headers:
            if name == b"traceparent":
                return False
        return self.draw() >= self.ratio


ROOT_DRAW: Final = RootDraw()


def configured_sampler(settings: TracingSettings) -> Sampler:
    ratio = 1.0 if settings.otel_traces_sampler_arg is None else settings.otel_traces_sampler_arg
    samplers: dict[str, Sampler] = {
        "always_on": ALWAYS_ON,
        "always_off": ALWAYS_OFF,
        "traceidratio": TraceIdRatioBased(ratio),
        "parentbased_always_on": ParentBased(ALWAYS_ON),
        "parentbased_always_off": ParentBased(ALWAYS_OFF),
        "parentbased_traceidratio": ParentBased(TraceIdRatioBased(ratio)),
    }
    return WithinWork(samplers[settings.otel_traces_sampler], roots_drawn=root_ratio(settings) > 0.0)


class ServiceResource(Resource):
    """A resource whose hash is computed once: the SDK's is a JSON dump of every attribute, and the exporter hashes
    the resource of every span it encodes (to group spans by resource)."""

    def __init__(self, resource: Resource) -> None:
        super().__init__(resource.attributes, resource.schema_url)
        self._hash = super().__hash__()

    def __hash__(self) -> int:
        return self._hash


def configure_tracing(settings: TracingSettings) -> TracerProvider | None:
    """The process's tracer provider, set on the first call (later calls return it); None while tracing is off."""
    global _provider  # noqa: PLW0603 (one provider per process: OpenTelemetry's global can be set once)
    if _provider is not None or not settings.tracing_enabled:
        return _provider
    # Imported only when tracing is on: the exporter brings protobuf and an HTTP client (130 modules, 7,500 objects
    # the garbage collector would otherwise walk in every service that never traces).
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # noqa: PLC0415
    from opentelemetry.sdk.trace.export import BatchSpanProcessor  # noqa: PLC0415

    package = __name__.split(".", maxsplit=1)[0]
    resource = ServiceResource(Resource.create({SERVICE_NAME: package, **settings.resource_attributes}))
    provider = TracerProvider(resource=resource, sampler=configured_sampler(settings))
    provider.add_span_processor(RedactedUrls())
    endpoint = f"{settings.otel_exporter_otlp_endpoint}/v1/traces"
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
    _provider = provider
    ROOT_DRAW.ratio = root_ratio(settings)
    TRACING.tracer = provider.get_tracer(__name__)
    TRACING.on = True
    return provider


def tracer_provider() -> TracerProvider | None:
    """The provider `configure_tracing` set in this process, if it did."""
    return _provider


def statement_span(tracer: Tracer, system: str, sql: str, *, start_time: int | None = None) -> trace.Span:
    """A client span for one database statement, a child of the request's or the job's span, and not made current (a
    statement has no child span, and the context switch would cost more than the span). Named by its operation
    (`SELECT`); the SQL as sent, placeholders and all, never the values. The caller ends it."""
    operation = sql.split(None, 1)[0].upper() if sql.strip() else "SQL"
    attributes = {"db.system.name": system, "db.query.text": sql}
    return tracer.start_span(operation, kind=SpanKind.CLIENT, attributes=attributes, start_time=start_time)
