"""Per-request timing headers, the access log line and request observers (metrics), from one clock reading.

Routes whose time would tell a secret (whether an email has an account: a password reset or sign-up request) are
left out of the timing headers by path (`untimed_paths`); they still get their access line and metrics.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from typing import Final

from ..asgi_types import ASGIApp, Message, Receive, Scope, Send
from ..logs import AccessLog
from ..request_context import RESPONSE_HEADERS_KEY, SERVER_ANSWER_STATE_KEY, SUBJECT_STATE_KEY

_SERVER_TIMING: Final = b"server-timing"
_PROCESS_TIME: Final = b"x-process-time"
ROUTE_KEY: Final = "route"
"""Scope key of the matched route: the web framework's route object, or its path template string."""


class RequestObserver:
    """Something that watches every request (Prometheus metrics, for one). Override what you need."""

    def started(self, method: str) -> None:
        """Called when a request arrives."""

    def finished(self, method: str, route: str | None, status: int, duration_s: float) -> None:
        """Called once the response has been sent (or the client went away)."""


def route_template(scope: Scope) -> str | None:
    """The matched route's path template (`/api/v1/items/{item_id}`), never the raw path; None when unmatched.

    The web framework leaves the matched route object (its `path`) or the path template itself under `ROUTE_KEY`.
    """
    route = scope.get(ROUTE_KEY)
    if isinstance(route, str):
        return route
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else None


class RequestTelemetryMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        access_log: AccessLog,
        observers: Sequence[RequestObserver] = (),
        clock: Callable[[], float] = time.perf_counter,
        untimed_paths: Collection[str] = (),
    ) -> None:
        self.app = app
        self.access_log = access_log
        self.observers = tuple(observers)
        self.clock = clock
        # Read per request, not copied: the wiring's set may still be filled after the middleware is declared.
        self.untimed_paths = untimed_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = self.clock()
        method: str = scope["method"]
        timed = scope["path"] not in self.untimed_paths
        added: list[tuple[bytes, bytes]] | None = scope.get(RESPONSE_HEADERS_KEY)
        status = 500  # what the client sees if the app dies before answering
        recorded = False
        for observer in self.observers:
            observer.started(method)

        def record() -> None:
            nonlocal recorded, status
            recorded = True
            duration = self.clock() - start
            route = route_template(scope)
            state = scope.get("state", {})
            status = state.get(SERVER_ANSWER_STATE_KEY, status)  # what reached the client, when the server answered
            for observer in self.observers:
                observer.finished(method, route, status, duration)
            client = scope.get("client")
            self.access_log.write(
                request_id=state.get("request_id", "-"),
                method=method,
                path=scope["path"],
                route=route,
                status=status,
                duration_ms=duration * 1000,
                client=client[0] if client else None,
                subject=state.get(SUBJECT_STATE_KEY),
            )

        async def send_with_timing(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if timed:
                    elapsed = self.clock() - start
                    timing = (
                        (_SERVER_TIMING, f"app;dur={elapsed * 1000:.3f}".encode()),
                        (_PROCESS_TIME, f"{elapsed:.6f}".encode()),
                    )
                    if added is not None:  # the security headers layer sends them with its own
                        added.extend(timing)
                    else:
                        message["headers"] = [*message.get("headers", ()), *timing]
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                # Recorded before the last chunk leaves, not when the app returns (the app may still run
                # its request-finished work then): a client holding the whole response finds its line already written.
                record()
            await send(message)

        try:
            await self.app(scope, receive, send_with_timing)
        finally:
            if not recorded:  # no complete response: an error escaped, or the client went away
                record()
