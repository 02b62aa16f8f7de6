"""Each request's synchronous part (Django's middleware, the view, its database calls) runs on one thread, as Django's
ASGI handler arranges, but on a kept thread: the handler alone starts a new thread for every request and joins it from
yet another one afterwards, which was the largest single cost of an item read (28.8 % of its CPU, by py-spy).

A request borrows an idle thread, or a new one when every kept thread is busy: requests never wait for a thread, as
they never did, and nothing changes for the database (the pool lends each request a connection and takes it back at
its end, whatever the thread). Up to `KEPT_THREADS` idle threads are kept after a burst.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import IO

from asgiref.sync import AsyncToSync, ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.http import FileResponse, HttpResponseBase
from django.urls import set_script_prefix

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


class RequestHandler(ASGIHandler):
    """Django's ASGI handler with each request's synchronous part in one hand-off to the request's thread, as Django's
    WSGI handler runs it: `request_started`, the request object, the middleware chain (loaded synchronous: every
    entry of MIDDLEWARE is a plain `def` middleware), the view, the response's `close()` and `request_finished`.

    Django's own `handle` makes three hand-offs for a synchronous view (`request_started`'s receivers, the view, the
    response's `close()`), runs the async middleware chain on the event loop, and starts two tasks per request to
    cancel the view's await when the client goes away; a synchronous view runs to its end on its thread whatever
    happens to that await, so the tasks bought nothing here. A streaming answer (a file, a generator) is closed after
    it is sent, as Django does; any other answer is whole once the chain returns, and closing it there hands its
    database connection back before the bytes go out, not after. tests/test_fast_paths.py compares the answers with
    Django's handler's.
    """

    def __init__(self) -> None:
        BaseHandler.__init__(self)  # not ASGIHandler's: it loads the middleware for the event loop
        self.load_middleware(is_async=False)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:  # type: ignore[override]
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        try:
            response = await sync_to_async(self.respond, thread_sensitive=True)(scope, body_file)
            # Django's stubs type `send` as taking a read-only Mapping.
            await self.send_response(response, send)  # type: ignore[arg-type]
            if response.streaming:
                await sync_to_async(response.close, thread_sensitive=True)()
        finally:
            body_file.close()

    def respond(self, scope: Scope, body_file: IO[bytes]) -> HttpResponseBase:
        """On the request's thread: the answer, closed unless it streams."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, error_response = self.create_request(scope, body_file)
        if request is None:
            response: HttpResponseBase | None = error_response
        else:
            response = self.get_response(request)
            response._handler_class = self.__class__  # type: ignore[attr-defined]  # as Django's handler marks it
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size  # the server splits the body into frames
        if response is None:  # Django's create_request gives a request or an error response: never neither
            raise RuntimeError("Django's handler made neither a request nor an error response")
        if not response.streaming:
            response.close()  # request_finished: the connection goes back now
        return response
