"""Each request's synchronous part (Django's middleware, the view, its database calls) runs on one thread, as Django's
ASGI handler arranges, but on a kept thread: the handler alone starts a new thread for every request and joins it from
yet another one afterwards, which was the largest single cost of an item read (28.8 % of its CPU, by py-spy).

A request borrows an idle thread, or a new one when every kept thread is busy: requests never wait for a thread, as
they never did, and nothing changes for the database (the pool lends each request a connection and takes it back at
its end, whatever the thread). Up to `KEPT_THREADS` idle threads are kept after a burst.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import AsyncToSync, ThreadSensitiveContext

from .core.asgi_types import ASGIApp, Receive, Scope, Send

KEPT_THREADS = 32
"""Idle threads kept for the next requests: more than the database pool's connections, since a request's thread waits
for one when all are lent."""


class KeptRequestThreads:
    """Django's ASGI handler, its requests' synchronous parts on kept threads (one request at a time on each)."""

    def __init__(self, app: ASGIApp, *, keep: int = KEPT_THREADS) -> None:
        self.app = app
        self.keep = keep
        self.idle: list[ThreadPoolExecutor] = []  # touched only on the event loop's thread: no lock
        self.started = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if getattr(AsyncToSync.executors, "current", None) is not None:
            # Called from synchronous code (a test's client, through async_to_sync): Django sends its work back to
            # that thread, where the test's database transaction is.
            await self.app(scope, receive, send)
            return
        thread = self.idle.pop() if self.idle else self._start_thread()
        try:
            # The outermost context decides: Django's own `ThreadSensitiveContext()` inside finds this one and keeps it.
            async with ThreadSensitiveContext(executor=thread):
                await self.app(scope, receive, send)
        finally:
            # Every synchronous call of the request has returned here (Django awaits a cancelled view's thread).
            if len(self.idle) < self.keep:
                self.idle.append(thread)
            else:
                thread.shutdown(wait=False)

    def _start_thread(self) -> ThreadPoolExecutor:
        self.started += 1
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"request-{self.started}")

    async def close(self) -> None:
        """At shutdown: the idle threads end (a thread still serving a request ends after it)."""
        while self.idle:
            self.idle.pop().shutdown(wait=False)
