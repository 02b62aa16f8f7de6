"""A request's synchronous part runs on a kept thread (request_threads.py): no thread is started per request, and
requests arriving together still each get a thread of their own (none waits for another's)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx2 as httpx
from django.core.signals import request_started

from .conftest import ServiceApp

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
