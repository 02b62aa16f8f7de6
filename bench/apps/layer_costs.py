"""Per-layer cost of the rendered service's middleware, in process (run by `bench/layers.py` in the project's venv).

Each layer wraps a raw ASGI app that answers 200 with two headers; the figure is the thread CPU time per request
above the raw app alone, best of 7 rounds. No network, no server: only the middleware's own Python.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
import time
from collections.abc import Callable
from typing import Any

Scope = dict[str, Any]


def http_scope() -> Scope:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/health/live",
        "raw_path": b"/health/live",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"wrk"), (b"accept", b"*/*")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def raw_app(scope: Scope, receive: Any, send: Any) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"15")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b'{"status":"ok"}'})


async def receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def send(message: dict[str, Any]) -> None:
    return None


async def cost_us(app: Any, requests: int) -> float:
    best = float("inf")
    for _ in range(7):
        started = time.thread_time()
        for _ in range(requests):
            await app(http_scope(), receive, send)
        best = min(best, (time.thread_time() - started) / requests * 1e6)
    return best


def django_layers(load: Callable[[str, str], Any], access_log: Any) -> dict[str, Callable[[Any], Any]]:
    """The Django tree's pure ASGI layers, configured as `app.install_middleware` does (innermost first)."""
    return {
        "BodySizeLimitMiddleware": lambda app: load("middleware.body_limit", "BodySizeLimitMiddleware")(
            app, max_body_size=1_048_576
        ),
        "UnhandledErrorMiddleware": lambda app: load("middleware.errors", "UnhandledErrorMiddleware")(
            app, expose_errors=False
        ),
        "CORSMiddleware": lambda app: load("middleware.cors", "CORSMiddleware")(
            app,
            allow_origins=["https://app.example.com"],
            allow_credentials=False,
            allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID", "X-Correlation-ID"],
            expose_headers=["X-Request-ID", "X-Correlation-ID", "Server-Timing", "Location", "Retry-After"],
            max_age=600,
        ),
        "RequestTelemetryMiddleware": lambda app: load("middleware.telemetry", "RequestTelemetryMiddleware")(
            app, access_log=access_log
        ),
        "RequestIdMiddleware": lambda app: load("middleware.request_id", "RequestIdMiddleware")(app),
        "SecurityHeadersMiddleware": lambda app: load("middleware.security_headers", "SecurityHeadersMiddleware")(
            app, hsts=True
        ),
    }


CLASS_RENAMES = {"ProblemCORSMiddleware": ("CORSMiddleware",)}
"""Layers whose class was renamed: the shared core's CORS layer replaced FastAPI's Starlette subclass."""


async def main(package: str, requests: int, log_path: str, framework: str = "fastapi") -> None:
    def load(module: str, name: str) -> Any:
        """`module` in the package's `core/` (since the shared core) or at its older place, under either name."""
        for place in (f"{package}.core.{module}", f"{package}.{module}"):
            try:
                found = importlib.import_module(place)
            except ModuleNotFoundError:
                continue
            for candidate in (name, *CLASS_RENAMES.get(name, ())):
                if hasattr(found, candidate):
                    return getattr(found, candidate)
        raise LookupError(f"{name} in {module}")

    access_log = load("logs", "AccessLog")("json", "INFO", open(log_path, "w"))  # noqa: SIM115 (lives for the run)
    layers: dict[str, Callable[[Any], Any]] = (
        django_layers(load, access_log)
        if framework == "django"
        else {
            "HeadAsGetMiddleware": lambda app: load("middleware.head", "HeadAsGetMiddleware")(app),
            "BodySizeLimitMiddleware": lambda app: load("middleware.body_limit", "BodySizeLimitMiddleware")(
                app, max_body_size=1_048_576
            ),
            "UnhandledErrorMiddleware": lambda app: load("middleware.errors", "UnhandledErrorMiddleware")(
                app, expose_errors=False
            ),
            "ProblemCORSMiddleware": lambda app: load("middleware.cors", "ProblemCORSMiddleware")(
                app, allow_origins=["https://app.example.com"], max_age=600
            ),
            "RequestTelemetryMiddleware": lambda app: load("middleware.telemetry", "RequestTelemetryMiddleware")(
                app, access_log=access_log
            ),
            "RequestIdMiddleware": lambda app: load("middleware.request_id", "RequestIdMiddleware")(app),
            "SecurityHeadersMiddleware": lambda app: load("middleware.security_headers", "SecurityHeadersMiddleware")(
                app, hsts=True
            ),
        }
    )
    base = await cost_us(raw_app, requests)
    print(f"  {'raw ASGI app':<28} {base:6.2f} us/request")
    stack: Any = raw_app
    for name, wrap in layers.items():
        print(f"  {name:<28} +{await cost_us(wrap(raw_app), requests) - base:5.2f} us")
        stack = wrap(stack)
    print(
        f"  {'all of them, nested':<28} +{await cost_us(stack, requests) - base:5.2f} us (JSON access line to a file)"
    )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3], *sys.argv[4:]))
