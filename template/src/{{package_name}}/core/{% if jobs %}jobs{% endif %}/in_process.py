"""Without PostgreSQL (development and test on the SQLite file): jobs wait in this process's memory and a worker
inside the service runs them while it serves (`InProcessWorker`); they are lost when it stops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Final

from procrastinate import App

from .logs import install_job_log_fields, job_log_context

logger = logging.getLogger(__name__)

IN_MEMORY_MESSAGE: Final = (
    "no PostgreSQL: jobs run inside this process, from memory (development and test only; they are lost when it "
    "stops, and `worker` needs a postgresql:// DATABASE_URL)"
)
POLL_EVERY_S: Final = 0.1  # the in-memory queue has no NOTIFY: a job starts within this of its defer


class InProcessWorker:
    """The worker of a service without PostgreSQL, running `queue`'s jobs in its event loop from startup to
    shutdown."""

    def __init__(self, queue: App, *, concurrency: int = 1) -> None:
        self._queue = queue
        self._concurrency = concurrency
        self._running: asyncio.Task[None] | None = None

    async def start(self) -> None:
        logger.warning(IN_MEMORY_MESSAGE)
        install_job_log_fields()
        await self._queue.open_async()
        self._running = asyncio.create_task(
            self._queue.run_worker_async(
                concurrency=self._concurrency,
                install_signal_handlers=False,
                listen_notify=False,
                fetch_job_polling_interval=POLL_EVERY_S,
                worker_middleware=[job_log_context],
            ),
            name="in-process job worker",
        )

    async def stop(self) -> None:
        if self._running is not None:
            self._running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._running
            self._running = None
            await self._queue.close_async()
