"""A local stand-in for an OpenTelemetry collector: the OTLP/HTTP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`) of the
tests that check the spans a service exports. It decodes each request as a collector does (protobuf
`ExportTraceServiceRequest`, gzip or not) and keeps the spans."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

SPAN_KINDS = {1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}


@dataclass(frozen=True)
class ReceivedSpan:
    trace_id: str
    span_id: str
    parent_span_id: str  # "" for a trace's root
    name: str
    kind: str
    attributes: dict[str, Any]
    service: str
    status: int  # 0 unset, 1 ok, 2 error


def _value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    return None if kind is None else getattr(value, kind)


class Receiver:
    """Collects the spans POSTed to `/v1/traces`; anything else is a 404, as a collector answers."""

    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        self.requests = 0
        self.held = 0
        """Exports waiting for `release` (`hold`): a collector that accepts a connection and does not answer."""
        self._received = threading.Condition()
        self._answering = threading.Event()
        self._answering.set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                if self.path != "/v1/traces" or self.headers.get("content-type") != "application/x-protobuf":
                    self.send_response(404)
                    self.end_headers()
                    return
                if self.headers.get("content-encoding") == "gzip":
                    body = gzip.decompress(body)
                receiver.wait_until_answering()
                receiver.add(ExportTraceServiceRequest.FromString(body))
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> str:
        """`OTEL_EXPORTER_OTLP_ENDPOINT`: the exporter adds `/v1/traces`."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def hold(self) -> None:
        """From now on, every export waits (unanswered) until `release`."""
        self._answering.clear()

    def release(self) -> None:
        self._answering.set()

    @property
    def answering(self) -> bool:
        return self._answering.is_set()

    def wait_until_answering(self) -> None:
        if not self._answering.is_set():
            with self._received:
                self.held += 1
                self._received.notify_all()
            self._answering.wait()

    def wait_for_held(self, timeout: float = 60) -> None:
        """Until an export is waiting for `release`."""
        with self._received:
            if not self._received.wait_for(lambda: self.held > 0, timeout):
                raise AssertionError(f"no export arrived within {timeout} s")

    def add(self, request: ExportTraceServiceRequest) -> None:
        spans = []
        for resource_spans in request.resource_spans:
            resource = {item.key: _value(item.value) for item in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    spans.append(  # noqa: PERF401 - three levels deep, a comprehension reads worse
                        ReceivedSpan(
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_span_id=span.parent_span_id.hex(),
                            name=span.name,
                            kind=SPAN_KINDS.get(span.kind, "unspecified"),
                            attributes={item.key: _value(item.value) for item in span.attributes},
                            service=str(resource.get("service.name")),
                            status=span.status.code,
                        )
                    )
        with self._received:
            self.requests += 1
            self.spans.extend(spans)
            self._received.notify_all()

    def wait_for(self, found: Callable[[list[ReceivedSpan]], bool], timeout: float = 60) -> list[ReceivedSpan]:
        """Every span received once `found(spans)` holds (the batch processor exports every few seconds); fails with
        what did arrive when it does not within `timeout`."""
        deadline = time.monotonic() + timeout
        with self._received:
            while not found(self.spans):
                left = deadline - time.monotonic()
                if left <= 0:
                    names = sorted({span.name for span in self.spans})
                    raise AssertionError(f"not among the {len(self.spans)} spans received within {timeout} s: {names}")
                self._received.wait(left)
            return list(self.spans)

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()
