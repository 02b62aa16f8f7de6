"""Whole-app cost in process: the rendered service's app against bare FastAPI, per endpoint (run by `bench/layers.py`).

Both apps are called as ASGI callables with the same scope, in the same process, alternately; the figure is the
thread CPU time per request, best of 7 rounds. No server, no network, no other process on the core: the stable way
to see what a change to the rendered app is worth (the server-level harness moves with the machine's load).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixtures import ITEM_BODY

# The rendered service as `bench/middleware.py` starts it (production, JSON access line, CORS, a generous limit).
SERVICE_ENV = {
    "ENVIRONMENT": "production",
    "LOG_FORMAT": "json",
    "LOG_LEVEL": "INFO",
    "CORS_ORIGINS": "https://app.example.com",
    "DOCS_ENABLED": "false",
    "RATE_LIMIT_ENABLED": "true",
    "RATE_LIMIT_DEFAULT": "1000000/second",
}


def http_scope(path: str, method: str = "GET", headers: tuple[tuple[bytes, bytes], ...] = ()) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"wrk"), (b"accept", b"*/*"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def call(app: Any, scope: dict[str, Any], body: bytes = b"") -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


async def cost_us(app: Any, path: str, requests: int) -> float:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        return None

    started = time.thread_time()
    for _ in range(requests):
        await app(http_scope(path), receive, send)
    return (time.thread_time() - started) / requests * 1e6


async def main(package: str, requests: int, log_path: str) -> None:
    os.environ.update(SERVICE_ENV)
    for name in ("SENTRY_DSN", "PROMETHEUS_MULTIPROC_DIR"):
        os.environ.pop(name, None)
    settings = importlib.import_module(f"{package}.settings").load_settings()
    access_log = open(log_path, "w")  # noqa: SIM115 (lives for the run)
    service = importlib.import_module(f"{package}.app").create_app(settings, access_log_stream=access_log)
    bare = importlib.import_module("bare").app
    async with service.router.lifespan_context(service):
        body = json.dumps(ITEM_BODY).encode()
        headers = ((b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()))
        created = await call(service, http_scope("/api/v1/items", "POST", headers), body)
        item_id = json.loads(created[1]["body"])["id"]
        from fixtures import ITEM_ID

        endpoints = {
            "GET /health/live": ("/health/live", "/health/live"),
            "GET /api/v1/items/{id}": (f"/api/v1/items/{item_id}", f"/api/v1/items/{ITEM_ID}"),
        }
        print(f"  {'endpoint':<24} {'rendered':>9} {'bare':>9} {'extra':>8}  bare/rendered")
        for name, (service_path, bare_path) in endpoints.items():
            for app, path in ((service, service_path), (bare, bare_path)):
                status = (await call(app, http_scope(path)))[0]["status"]
                if status != 200:
                    raise SystemExit(f"{path} answered {status}")
            rendered_us, bare_us = float("inf"), float("inf")
            for _ in range(7):  # alternately, so that a burst of load hits both alike
                rendered_us = min(rendered_us, await cost_us(service, service_path, requests))
                bare_us = min(bare_us, await cost_us(bare, bare_path, requests))
            print(
                f"  {name:<24} {rendered_us:6.1f} us {bare_us:6.1f} us {rendered_us - bare_us:+6.1f} us"
                f"  {bare_us / rendered_us:.2f}"
            )
    access_log.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
