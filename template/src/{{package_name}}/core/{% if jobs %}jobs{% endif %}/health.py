"""The worker's own HTTP server for a Kubernetes probe (and, with metrics, a Prometheus scrape): `GET /health/live`,
`GET /health/ready` and `GET /metrics` on `JOBS_HEALTH_PORT`.

A worker serves no API, so a web framework would be dead weight: this is a minimal HTTP/1.1 server on asyncio that
answers one request per connection. Readiness is 503 once the worker is stopping (SIGTERM), when its job loop is not
running (or ended without a stop signal: the worker is about to exit, `WorkerState.loop_ended`), or when the database
does not answer within `CHECK_TIMEOUT_S`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_S: Final = 2.0
RESTART_EXIT_STATUS: Final = 75  # EX_TEMPFAIL: "try again later", for any supervisor (restart policy on-failure too)
LOOP_ENDED: Final = "job loop ended without a stop signal: exiting for a restart"
REQUEST_TIMEOUT_S: Final = 5.0
MAX_REQUEST_HEAD: Final = 8192
JSON: Final = "application/json"

# A readiness check of the database: True when it answers.
DatabaseCheck = Callable[[], Awaitable[bool]]
# The `/metrics` body and its content type, given the scraper's Accept header.
MetricsRenderer = Callable[[str], Awaitable[tuple[bytes, str]]]


@dataclass
class WorkerState:
    """What readiness reads: set by the worker command as it starts, runs and stops."""

    running: bool = False
    stopping: bool = False
    ended_early: bool = False

    def loop_ended(self, error: BaseException | None = None) -> int:
        """Records that the job loop has ended and returns the worker's exit status.

        0 after a stop signal. Otherwise the loop ended by itself: procrastinate stops it when a heartbeat or a fetch
        fails, which is what a PostgreSQL restart or failover looks like. Such a worker has lost its connections and
        its registration, so it does not carry on: readiness turns 503 saying so, and it exits with
        `RESTART_EXIT_STATUS` for its supervisor (Kubernetes, compose, systemd) to start a fresh one, which waits for
        the database as any worker does at start. Exiting 0 there would leave a supervisor that restarts only
        failures with no worker at all, and every operation `pending`."""
        self.running = False
        if self.stopping and error is None:
            return 0
        self.ended_early = True
        logger.error(LOOP_ENDED, extra={"exit_status": RESTART_EXIT_STATUS}, exc_info=error)
        return RESTART_EXIT_STATUS


class WorkerHealthServer:
    def __init__(
        self, state: WorkerState, database_reachable: DatabaseCheck, metrics: MetricsRenderer | None = None
    ) -> None:
        self.state = state
        self._database_reachable = database_reachable
        self._metrics = metrics
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> int:
        """Listens on `host:port` (port 0: any free one) and returns the port."""
        self._server = await asyncio.start_server(self._serve, host, port)
        bound: int = self._server.sockets[0].getsockname()[1]
        logger.info("worker health server listening", extra={"port": bound})
        return bound

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), REQUEST_TIMEOUT_S)
            status, body, content_type = await self._answer(head)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError):
            status, body, content_type = 400, b'{"status":"bad request"}', JSON
        try:
            writer.write(
                f"HTTP/1.1 {status} {_REASONS[status]}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except ConnectionError:
            pass  # the prober went away: nothing to tell it
        finally:
            writer.close()

    async def _answer(self, head: bytes) -> tuple[int, bytes, str]:
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        parts = request_line.split(" ")
        if len(head) > MAX_REQUEST_HEAD or len(parts) != len(("method", "target", "version")):
            return 400, b'{"status":"bad request"}', JSON
        method, target, _ = parts
        path = target.split("?", 1)[0]
        if method not in ("GET", "HEAD"):
            return 405, b'{"status":"method not allowed"}', JSON
        if path == "/health/live":
            return 200, b'{"status":"ok"}', JSON
        if path == "/health/ready":
            problems = await self._readiness_problems()
            body = {"status": "unavailable", "problems": problems} if problems else {"status": "ok"}
            return (503 if problems else 200), json.dumps(body).encode(), JSON
        if path == "/metrics" and self._metrics is not None:
            accept = next(
                (line.split(":", 1)[1].strip() for line in header_lines if line.lower().startswith("accept:")), ""
            )
            return (200, *await self._metrics(accept))
        return 404, b'{"status":"not found"}', JSON

    async def _readiness_problems(self) -> list[str]:
        if self.state.ended_early:
            return [LOOP_ENDED]
        if self.state.stopping:
            return ["stopping"]
        problems = [] if self.state.running else ["worker loop not running"]
        try:
            reachable = await asyncio.wait_for(self._database_reachable(), CHECK_TIMEOUT_S)
        except Exception:  # any failure of the check means "not reachable"
            reachable = False
        if not reachable:
            problems.append("database unreachable")
        return problems


_REASONS: Final = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    503: "Service Unavailable",
}
