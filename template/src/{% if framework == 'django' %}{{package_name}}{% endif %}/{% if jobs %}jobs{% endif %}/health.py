"""The worker's health for the orchestrator's probes, on its own port: `GET /health/live` (the process answers) and
`GET /health/ready` (the database answers, the worker loop runs, no stop was asked): 200 or 503, JSON."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Final

from procrastinate.connector import BaseAsyncConnector

CHECK_TIMEOUT_S: Final = 2.0
_REASONS: Final = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}


class WorkerHealth:
    def __init__(self, connector: BaseAsyncConnector, host: str, port: int) -> None:
        self.connector = connector
        self.host, self.port = host, port
        self.stopping = False
        self.worker_loop: asyncio.Task[None] | None = None
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._answer, self.host, self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def readiness(self) -> tuple[int, dict[str, str]]:
        if self.stopping:
            return 503, {"status": "stopping"}
        if self.worker_loop is None or self.worker_loop.done():
            return 503, {"status": "worker loop not running"}
        try:
            await asyncio.wait_for(self.connector.execute_query_one_async("SELECT 1 AS one"), CHECK_TIMEOUT_S)
        except Exception:  # any failure means not ready
            return 503, {"status": "database unreachable"}
        return 200, {"status": "ok"}

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = await asyncio.wait_for(reader.readline(), CHECK_TIMEOUT_S)
            method, _, rest = request_line.decode("latin-1").partition(" ")
            path = rest.partition(" ")[0]
            if method not in ("GET", "HEAD"):
                status, body = 405, {"status": "only GET"}
            elif path == "/health/live":
                status, body = 200, {"status": "ok"}
            elif path == "/health/ready":
                status, body = await self.readiness()
            else:
                status, body = 404, {"status": "not found"}
            payload = json.dumps(body).encode()
            head = (
                f"HTTP/1.1 {status} {_REASONS[status]}\r\ncontent-type: application/json\r\n"
                f"content-length: {len(payload)}\r\nconnection: close\r\n\r\n"
            ).encode()
            writer.write(head + (b"" if method == "HEAD" else payload))
            await writer.drain()
        except (TimeoutError, ConnectionError, UnicodeDecodeError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
