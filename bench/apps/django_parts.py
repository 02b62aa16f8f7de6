"""Where a rendered Django service's `GET /api/v1/items/{id}` spends its CPU, against bare DRF, in process (run by
`bench/django_parts.py`).

    python django_parts.py rendered <package> <requests> <log>   # DJANGO_SETTINGS_MODULE=<package>.settings
    python django_parts.py bare <package> <requests>              # bench/apps/drf_bare.py, BENCH_PACKAGE=<package>

The app is called as an ASGI callable; the view runs on Django's worker thread, so the figure is the process's CPU
time per request (every thread; PostgreSQL's CPU is another process's), best of 15 rounds, and the Python function calls
per request (exact, whatever the machine's load). `rendered` prices the whole service, then the same with one part
taken out at a time, alternated round by round in one process: the pure ASGI layers (Django's handler called
directly), Django's middleware (a handler built with `MIDDLEWARE = []`), the kept request threads and their one
hand-off (Django's `ASGIHandler` as it comes: a new thread per request, three hand-offs), the view's token check
and permission (the caller the first request's token gave, remembered), its throttle, the database read (the
representation served from memory), and the backend's check of a pooled connection (`closed_by_server`, per
call). The last line is JSON for the driver.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_cost import http_scope, python_calls
from fixtures import ITEM_BODY

ROUNDS = 15


def receiver(body: bytes = b"") -> Any:
    """The request's body once, then nothing until the response is sent: Django's handler listens for a disconnect
    after the body (and stops listening once it has answered)."""
    sent = [False]

    async def receive() -> dict[str, Any]:
        if not sent[0]:
            sent[0] = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    return receive


async def call(app: Any, scope: dict[str, Any], body: bytes = b"") -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    await app(scope, receiver(body), send)
    return messages


async def cost_us(app: Any, path: str, requests: int, headers: tuple[tuple[bytes, bytes], ...]) -> float:
    async def send(message: dict[str, Any]) -> None:
        return None

    started = time.process_time()
    for _ in range(requests):
        await app(http_scope(path, headers=headers), receiver(), send)
    return (time.process_time() - started) / requests * 1e6


async def rendered(package: str, requests: int, log_path: str) -> dict[str, float]:
    from django.conf import settings as django_settings

    asgi = importlib.import_module(f"{package}.asgi")
    settings = django_settings.SERVICE_SETTINGS
    log_stream = open(log_path, "w")  # noqa: SIM115 (the run's)
    service = asgi.build_application(settings, access_log_stream=log_stream)
    service.app_log_stream = log_stream
    headers: tuple[tuple[bytes, bytes], ...] = ()
    if importlib.util.find_spec(f"{package}.core.auth") is not None:
        auth = importlib.import_module(f"{package}.core.auth")
        token = auth.mint_token(settings, "bench-client", ["items:read", "items:write"])
        headers = ((b"authorization", f"Bearer {token}".encode()),)
    from django.core.handlers.asgi import ASGIHandler
    from django.test.utils import override_settings

    views = importlib.import_module(f"{package}.items.views")
    viewset = views.ItemViewSet
    access_log = importlib.import_module(f"{package}.core.logs").AccessLog(
        settings.effective_log_format, settings.log_level, service.app_log_stream
    )

    def layered(handler: Any) -> Any:  # a Django handler inside the service's pure ASGI layers, as the service is
        return asgi.install_middleware(handler, settings, service.wiring, access_log=access_log)

    # Each part's Django handler as the service wraps it: its requests on kept threads (request_threads.py; a
    # service without it starts a thread per request, as Django's handler alone does: the part "kept request threads").
    # Its handler: `RequestHandler` (each request's synchronous part in one hand-off) where the service has one.
    threads = (
        importlib.import_module(f"{package}.request_threads")
        if importlib.util.find_spec(f"{package}.request_threads") is not None
        else None
    )
    kept = threads.KeptRequestThreads if threads is not None else lambda app: app
    service_handler = getattr(threads, "RequestHandler", ASGIHandler)
    handler = kept(service_handler())
    new_thread_each = layered(ASGIHandler())
    with override_settings(MIDDLEWARE=[]):
        bare_handler = layered(kept(service_handler()))
    with override_settings(MIDDLEWARE=[f"{package}.middleware.django.ServiceMiddleware"]):
        without_admin = layered(kept(service_handler()))
    # The lifespan's startup (the integrations' hooks), then on without waiting for its shutdown.
    with contextlib.suppress(_Started):
        await service({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, _lifespan_receive(), _started)
    body = json.dumps(ITEM_BODY).encode()
    post = ((b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers)
    created = await call(service, http_scope("/api/v1/items", "POST", post), body)
    if created[0]["status"] != 201:
        raise SystemExit(f"POST answered {created[0]['status']}: {created[1].get('body')!r}")
    path = f"/api/v1/items/{json.loads(created[1]['body'])['id']}"

    # The read by id of the items' views (api/resources.py `read_one`: the database, or the application cache).
    original_read = viewset.read_one
    remembered: dict[str, Any] = {}

    def read_from_memory(self: Any) -> Any:
        key = str(self.object_id())
        if key not in remembered:
            remembered[key] = original_read(self)
        return remembered[key]

    classes = {
        name: getattr(viewset, name) for name in ("authentication_classes", "permission_classes", "throttle_classes")
    }
    remembered_caller = remembering(viewset.authentication_classes)

    def take_out(part: str) -> None:
        for name, value in classes.items():
            setattr(viewset, name, value)
        viewset.read_one = original_read
        if part == "token check and permission":
            viewset.authentication_classes = remembered_caller
            viewset.permission_classes = ()
        elif part == "throttle":
            viewset.throttle_classes = ()
        elif part == "database read":
            viewset.read_one = read_from_memory

    apps = {
        "whole": service,
        "pure ASGI layers": handler,  # Django's handler with the project's MIDDLEWARE
        "Django middleware": bare_handler,
        "AdminMiddleware": without_admin,
        "kept request threads": new_thread_each,
        "token check and permission": service,
        "throttle": service,
        "database read": service,
    }
    for part, app in apps.items():
        take_out(part)
        status = (await call(app, http_scope(path, headers=headers)))[0]["status"]
        if status != 200:
            raise SystemExit(f"without {part}: GET {path} answered {status}")
    figures = {part: float("inf") for part in apps}
    for _ in range(ROUNDS):
        for part, app in apps.items():
            take_out(part)
            figures[part] = min(figures[part], await cost_us(app, path, requests, headers))
    calls = {}
    for part, app in apps.items():
        take_out(part)
        calls[part] = await calls_per_request(app, path, 50, headers)
    take_out("whole")
    whole = figures["whole"]
    print(f"  rendered, GET /api/v1/items/{{id}}: {whole:7.1f} us CPU per request (best of {ROUNDS} x {requests})")
    print(f"    {calls['whole']:.0f} Python function calls per request (every thread)")
    for part, us in figures.items():
        if part not in ("whole", "item_id"):
            print(
                f"    without {part:<32} {us:7.1f} us   the part costs {whole - us:+7.1f} us, "
                f"{calls['whole'] - calls[part]:+5.0f} calls"
            )
    figures |= {f"calls: {part}": count for part, count in calls.items()}
    figures["item_id"] = path.rsplit("/", 1)[1]  # type: ignore[assignment]  # what bare DRF reads
    figures["closed_by_server per call"] = await asyncio.to_thread(backend_check_us, package)  # Django: sync
    print(
        f"    the backend's pooled-connection check (closed_by_server): {figures['closed_by_server per call']:.1f} us"
    )
    return figures


def remembering(authenticators: Any) -> tuple[type, ...]:
    """The view's authentication, verifying the first request's token only: each later request gets the caller it
    gave (without a caller the view answers 403, so the part cannot simply be taken out)."""
    if not authenticators:
        return ()
    remembered: list[Any] = []

    class Remembered(authenticators[0]):  # type: ignore[misc,valid-type]
        def authenticate(self, request: Any) -> Any:
            if not remembered:
                remembered.append(super().authenticate(request))
            return remembered[0]

    return (Remembered,)


async def calls_per_request(app: Any, path: str, requests: int, headers: tuple[tuple[bytes, bytes], ...]) -> float:
    """Python function calls per request, on every thread (the view's included): exact where CPU time is noisy."""
    return await python_calls(lambda: cost_us(app, path, requests, headers)) / requests


def backend_check_us(package: str) -> float:
    try:
        base = importlib.import_module(f"{package}.postgresql.base")
    except ModuleNotFoundError:
        return 0.0
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.process_time()
        for _ in range(2000):
            base.closed_by_server(raw)
        best = min(best, (time.process_time() - started) / 2000 * 1e6)
    connection.close()
    return best


def _lifespan_receive() -> Any:
    messages = iter([{"type": "lifespan.startup"}])

    async def receive() -> dict[str, Any]:
        try:
            return next(messages)
        except StopIteration:
            await asyncio.sleep(3600)  # never shut down: the process ends instead
            raise

    return receive


async def _started(message: dict[str, Any]) -> None:
    if message["type"] == "lifespan.startup.complete":
        raise _Started


class _Started(Exception):
    pass


async def bare(requests: int) -> dict[str, float]:
    app = importlib.import_module("drf_bare").app
    from fixtures import ITEM_ID

    path = f"/api/v1/items/{os.environ.get('BENCH_ITEM_ID', ITEM_ID)}"  # the row the rendered run wrote
    status = (await call(app, http_scope(path)))[0]["status"]
    if status != 200:
        raise SystemExit(f"bare DRF: GET {path} answered {status}")
    best = min([await cost_us(app, path, requests, ()) for _ in range(ROUNDS)])
    calls = await calls_per_request(app, path, 50, ())
    print(f"  bare DRF, GET /api/v1/items/{{id}}: {best:7.1f} us CPU per request (best of {ROUNDS} x {requests})")
    return {"whole": best, "calls": calls}


if __name__ == "__main__":
    if sys.argv[1] == "rendered":
        result = asyncio.run(rendered(sys.argv[2], int(sys.argv[3]), sys.argv[4]))
    else:
        result = asyncio.run(bare(int(sys.argv[3])))
    print(json.dumps(result))
