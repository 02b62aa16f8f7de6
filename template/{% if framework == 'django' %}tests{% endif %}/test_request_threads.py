"""A request's synchronous part runs on a kept thread (request_threads.py): no thread is started per request, and
requests arriving together still each get a thread of their own (none waits for another's). It runs there in one
hand-off (`RequestHandler`), answering as Django's own ASGI handler does."""

from __future__ import annotations

import asyncio
import importlib
import threading
from typing import Any

import httpx2 as httpx
import pytest
from asgiref.sync import SyncToAsync
from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_finished, request_started

from .conftest import Client, ServiceApp

TOGETHER = 4


def requests_on_threads(app: ServiceApp, *, sequential: int, together: int = 0) -> list[str]:
    """The name of the thread that ran each request's synchronous part (Django's `request_started` receivers run
    there), for `sequential` requests one after another, then `together` requests that all run at once: each one's
    thread waits at a barrier until all have arrived, which only threads of their own can reach."""
    names: list[str] = []
    barrier = threading.Barrier(together or 1, timeout=30)
    arrived = [0]

    def record(**kwargs: Any) -> None:
        names.append(threading.current_thread().name)
        arrived[0] += 1
        if arrived[0] > sequential:
            barrier.wait()

    async def serve() -> None:
        # Served on this event loop, not through async_to_sync: as a server calls the application.
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            for _ in range(sequential):
                assert (await client.get("/no-such-page")).status_code == 404
            answers = await asyncio.gather(*(client.get("/no-such-page") for _ in range(together)))
            assert [answer.status_code for answer in answers] == [404] * together

    request_started.connect(record)
    try:
        asyncio.run(serve())
    finally:
        request_started.disconnect(record)
    return names


def test_requests_one_after_another_share_one_kept_thread(app: ServiceApp) -> None:
    names = requests_on_threads(app, sequential=20)
    assert len(names) == 20
    assert len(set(names)) == 1, names


def test_requests_arriving_together_each_get_a_thread_then_keep_them(app: ServiceApp) -> None:
    names = requests_on_threads(app, sequential=1, together=TOGETHER)
    assert len(set(names[1:])) == TOGETHER, names  # all at the barrier at once: a thread each
    again = requests_on_threads(app, sequential=TOGETHER * 2)
    assert set(again) <= set(names), (names, again)  # the same threads serve the next requests


def test_a_request_is_one_hand_off_to_its_thread(app: ServiceApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """`request_started`, the middleware, the view and `request_finished` all run on the request's thread, reached
    once (Django's own handler hands off three times for a synchronous view, and each async middleware hook runs on
    the event loop in between)."""
    hand_offs: list[str] = []
    threads: list[tuple[str, str]] = []
    hand_off = SyncToAsync.__call__

    async def counted(self: SyncToAsync[Any, Any], *args: Any, **kwargs: Any) -> Any:
        hand_offs.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await hand_off(self, *args, **kwargs)

    def started(**kwargs: Any) -> None:
        threads.append(("started", threading.current_thread().name))

    def finished(**kwargs: Any) -> None:
        threads.append(("finished", threading.current_thread().name))

    async def serve() -> None:
        transport = httpx.ASGITransport(app=app)  # on this event loop, as a server calls the application
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            assert (await client.get("/no-such-page")).status_code == 404

    monkeypatch.setattr(SyncToAsync, "__call__", counted)
    request_started.connect(started)
    request_finished.connect(finished)
    try:
        asyncio.run(serve())
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)
    assert len(hand_offs) == 1, hand_offs
    assert [event for event, _ in threads] == ["started", "finished"]
    assert threads[0][1] == threads[1][1] != threading.main_thread().name, threads


def answer_of(response: httpx.Response) -> tuple[int, str | None, str | None, bytes, list[str]]:
    """What a client is told, less what differs from request to request (ids, timings, rate-limit counters)."""
    return (
        response.status_code,
        response.headers.get("content-type"),
        response.headers.get("etag"),
        response.content,
        sorted(response.headers.keys()),
    )


@pytest.mark.django_db
def test_the_handler_answers_as_djangos_own_handler(
    app: ServiceApp, service_settings: Any, access_log: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one-hand-off handler against Django's `ASGIHandler` (the same middleware, run on the event loop),
    request for request: reads, a conditional read, writes, problems, an unknown path."""
    ours = Client(app)
    asgi = importlib.import_module(ServiceApp.__module__)
    with monkeypatch.context() as patched:
        patched.setattr(asgi, "RequestHandler", ASGIHandler)
        djangos = Client(asgi.build_application(service_settings, access_log_stream=access_log))
    created = djangos.post("/api/v1/items", json={"name": "Kettle", "price_cents": 4990})
    assert created.status_code == 201, created.text
    item = f"/api/v1/items/{created.json()['id']}"
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", item, {}),
        ("HEAD", item, {}),
        ("GET", item, {"headers": {"If-None-Match": created.headers["etag"]}}),
        ("GET", "/api/v1/items/not-a-uuid", {}),
        ("GET", "/api/v1/items/00000000-0000-4000-8000-000000000000", {}),
        ("GET", "/api/v1/items?limit=2", {}),
        ("POST", "/api/v1/items", {"json": {"name": ""}}),
        ("POST", "/api/v1/items", {"content": b"{not json", "headers": {"Content-Type": "application/json"}}),
        ("DELETE", "/api/v1", {}),
        ("GET", "/no-such-page", {}),
        ("GET", "/health/live", {}),
    ]
    for method, url, options in requests:
        options["headers"] = {**options.get("headers", {}), "X-Request-ID": "req-compared"}  # problems name it
        assert answer_of(ours.request(method, url, **options)) == answer_of(djangos.request(method, url, **options))
    mine = ours.post("/api/v1/items", json={"name": "Teapot", "price_cents": 2500})
    theirs = djangos.post("/api/v1/items", json={"name": "Teapot", "price_cents": 2500})
    assert (mine.status_code, sorted(mine.headers.keys())) == (theirs.status_code, sorted(theirs.headers.keys()))
    assert mine.json().keys() == theirs.json().keys()
