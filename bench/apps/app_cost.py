"""Whole-app cost in process: the rendered service's app against bare FastAPI, per endpoint (run by `bench/layers.py`).

Both apps are called as ASGI callables with the same scope, in the same process, alternately; the figure is the
thread CPU time per request, best of 7 rounds. No server, no network, no other process on the core: the stable way
to see what a change to the rendered app is worth (the server-level harness moves with the machine's load).
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import os
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixtures import ITEM_BODY

AUTH_ISSUER = "https://login.bench.example/"
AUTH_AUDIENCE = "https://api.bench.example"
AUTH_SECRET = "bench-hmac-secret-" + "s" * 32

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


async def cost_us(app: Any, path: str, requests: int, headers: tuple[tuple[bytes, bytes], ...] = ()) -> float:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        return None

    started = time.thread_time()
    for _ in range(requests):
        await app(http_scope(path, headers=headers), receive, send)
    return (time.thread_time() - started) / requests * 1e6


async def python_calls(run: Callable[[], Awaitable[object]]) -> int:
    """The Python calls (function and C calls, on every thread) made while `run()` runs: exact where CPU time is
    noisy."""
    counted = [0]

    def count(frame: Any, event: str, arg: Any) -> None:
        if event in ("call", "c_call"):
            counted[0] += 1

    threading.setprofile_all_threads(count)
    try:
        await run()
    finally:
        threading.setprofile_all_threads(None)
    return counted[0]


def serve_one_item(package: str, app: Any) -> uuid.UUID:
    """Make `app`'s item repository a store of one item in memory (the route's `get` is all the benchmarks call),
    through `app.dependency_overrides`: the route's own work without a query, comparable with the bare app's dict.
    The repository still takes the request's session, as the SQL one does. Returns the item's id."""
    models = importlib.import_module(f"{package}.items.models")
    items = importlib.import_module(f"{package}.items.dependencies")
    session = importlib.import_module(f"{package}.api.dependencies").DatabaseSessionDep
    now = datetime.now(UTC)
    owned = {"owner_id": None} if "owner_id" in models.Item.model_fields else {}  # an item of no caller's
    item = models.Item(id=uuid.uuid4(), created_at=now, updated_at=now, **owned, **ITEM_BODY)

    class OneItem:
        def __init__(self, session: object) -> None:
            self.session = session

        async def get(self, item_id: uuid.UUID) -> Any:
            return item if item_id == item.id else None

    async def one_item(session: Any) -> OneItem:
        return OneItem(session)

    one_item.__annotations__["session"] = session  # resolved here: this module's annotations are strings
    app.dependency_overrides[items.get_item_repository] = one_item
    return item.id


def service_environment(package: str, workdir: str) -> bool:
    """Production settings as `bench/middleware.py` serves them, with `auth=jwt` an HMAC key; True when the project
    verifies bearer tokens."""
    # No statement reaches the database (the item is in memory, sessions connect on their first statement), so a
    # PostgreSQL project (production refuses SQLite) gets a URL no server answers: a query would fail loudly.
    answers = Path(".copier-answers.yml").read_text() if Path(".copier-answers.yml").exists() else ""
    on_postgresql = "database: postgresql" in answers
    url = "postgresql://bench@127.0.0.1:9/bench" if on_postgresql else f"sqlite:///{workdir}/app-cost.sqlite3"
    os.environ.update(SERVICE_ENV)
    os.environ.setdefault("DATABASE_URL", url)  # bench/auth.py names a migrated SQLite file to read from
    for name in ("SENTRY_DSN", "PROMETHEUS_MULTIPROC_DIR"):
        os.environ.pop(name, None)
    if importlib.util.find_spec(f"{package}.core.auth") is None:
        return False
    os.environ.update(AUTH_JWT_SECRET=AUTH_SECRET, AUTH_ISSUER=AUTH_ISSUER, AUTH_AUDIENCE=AUTH_AUDIENCE)
    return True


def bearer_headers(package: str, settings: Any, has_auth: bool) -> tuple[tuple[bytes, bytes], ...]:
    """The Authorization header of one token the service accepts (none when it does not verify tokens)."""
    if not has_auth:
        return ()
    scopes = importlib.import_module(f"{package}.app").api_scopes()
    token = importlib.import_module(f"{package}.core.auth").mint_token(settings, "bench-client", scopes)
    return ((b"authorization", f"Bearer {token}".encode()),)


async def main(package: str, requests: int, log_path: str) -> None:
    has_auth = service_environment(package, str(Path(log_path).parent))
    settings = importlib.import_module(f"{package}.config").load_settings()
    headers = bearer_headers(package, settings, has_auth)
    access_log = open(log_path, "w")  # noqa: SIM115 (lives for the run)
    create_app = importlib.import_module(f"{package}.app").create_app
    service = create_app(settings, access_log_stream=access_log)
    item_id = serve_one_item(package, service)
    bare = importlib.import_module("bare").app
    from fixtures import ITEM_ID

    endpoints = {
        "GET /health/live": ("/health/live", "/health/live"),
        "GET /api/v1/items/{id}": (f"/api/v1/items/{item_id}", f"/api/v1/items/{ITEM_ID}"),
    }
    async with service.router.lifespan_context(service):
        for service_path, bare_path in endpoints.values():
            for app, path in ((service, service_path), (bare, bare_path)):
                status = (await call(app, http_scope(path, headers=headers)))[0]["status"]
                if status != 200:
                    raise SystemExit(f"{path} answered {status}")
        print(f"  {'endpoint':<24} {'rendered':>9} {'bare':>9} {'extra':>8}  bare/rendered")
        for name, (service_path, bare_path) in endpoints.items():
            rendered_us, bare_us = float("inf"), float("inf")
            for _ in range(7):  # alternately, so that a burst of load hits both alike
                rendered_us = min(rendered_us, await cost_us(service, service_path, requests, headers))
                bare_us = min(bare_us, await cost_us(bare, bare_path, requests, headers))
            print(
                f"  {name:<24} {rendered_us:6.1f} us {bare_us:6.1f} us {rendered_us - bare_us:+6.1f} us"
                f"  {bare_us / rendered_us:.2f}"
            )
        await price_parts(service, bare, endpoints, requests, headers)
    access_log.close()


async def price_parts(
    service: Any, bare: Any, endpoints: dict[str, tuple[str, str]], requests: int, headers: tuple[Any, ...]
) -> None:
    """What each part of the rendered app costs: the app measured with the part taken out, in the same process."""

    from fastapi.middleware.asyncexitstack import AsyncExitStackMiddleware

    def routes_only(app: Any) -> Any:
        # The app's router without any middleware, FastAPI's error layers included (its exit stack stays: dependencies
        # with `yield` need it): what the routes cost.
        router = AsyncExitStackMiddleware(app.router)

        async def call_router(scope: dict[str, Any], receive: Any, send: Any) -> None:
            scope["app"] = app
            await router(scope, receive, send)

        return call_router

    print("\n  the same, per part (thread CPU time per request, best of 7; a part's cost = with it - without it)")
    print(f"  {'endpoint':<24} {'part':<44} {'us':>7}")
    for name, (service_path, bare_path) in endpoints.items():
        whole = min([await cost_us(service, service_path, requests, headers) for _ in range(7)])
        service_routes = min([await cost_us(routes_only(service), service_path, requests, headers) for _ in range(7)])
        bare_whole = min([await cost_us(bare, bare_path, requests, headers) for _ in range(7)])
        bare_routes = min([await cost_us(routes_only(bare), bare_path, requests, headers) for _ in range(7)])
        rows = [
            ("middleware (ours and FastAPI's error layers)", whole - service_routes),
            ("bare FastAPI's error layers alone", bare_whole - bare_routes),
            ("routing and the route (no middleware)", service_routes),
            ("bare FastAPI's routing and route", bare_routes),
        ]
        guards = getattr(service.state, "api_guards", ())
        if name.startswith("GET /api") and guards:
            service.state.api_guards = ()
            unguarded = min([await cost_us(routes_only(service), service_path, requests, headers) for _ in range(7)])
            service.state.api_guards = guards
            names = ", ".join(getattr(guard, "__name__", type(guard).__name__) for guard in guards)
            rows.append((f"route guards ({names})", service_routes - unguarded))
        for part, us in rows:
            print(f"  {name:<24} {part:<44} {us:7.1f}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
