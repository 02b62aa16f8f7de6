"""Where this process's jobs go: procrastinate's table in the PostgreSQL database (deferred on Django's own
connection, so inside the request's transaction), or, on the SQLite file of development and test, this process's
memory, where a worker running inside the service carries them out (`InProcessWorker`): lost when it stops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Final

from django.db import DEFAULT_DB_ALIAS, connections
from procrastinate.contrib.django import procrastinate_app
from procrastinate.contrib.django.django_connector import DjangoConnector
from procrastinate.tasks import Task
from procrastinate.testing import InMemoryConnector

from ..core.jobs.logs import deferred_arguments, job_log_context

logger = logging.getLogger(__name__)

IN_MEMORY_MESSAGE: Final = (
    "No PostgreSQL database: jobs run inside this process, from memory (development and test only; they are lost "
    "when it stops, and `worker` needs a postgresql:// DATABASE_URL)"
)
_MEMORY: Final = InMemoryConnector()


def defer(task: Task[Any, Any, Any], **arguments: Any) -> int:
    """Defers a job of `task` with `arguments` (JSON values) on the view's own connection: inside the view's
    `transaction.atomic()` it is committed with the view's writes, or not at all. Every log line the job writes carries
    this request's id. Returns the job's id."""
    return task.defer(**deferred_arguments(arguments))


def on_postgresql(alias: str = DEFAULT_DB_ALIAS) -> bool:
    return bool(connections[alias].vendor == "postgresql")


def choose_queue() -> None:
    """Defer to the database's queue on PostgreSQL, else to memory. Called once Django is set up and whenever the
    service's wiring is built (tests switch databases in between)."""
    queue = procrastinate_app.current_app  # the app itself, not the proxy `procrastinate.contrib.django.app`
    wanted = DjangoConnector() if on_postgresql() else _MEMORY
    if type(queue.connector) is not type(wanted):
        queue.connector = queue.job_manager.connector = wanted


class QueueTablesOnPostgreSQL:
    """A database router: procrastinate's migrations (PostgreSQL's SQL) run on PostgreSQL only."""

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        if app_label == "procrastinate" and not on_postgresql(db):
            return False
        return None


class InProcessWorker:
    """The worker of a service without PostgreSQL, running in its event loop from startup to shutdown."""

    def __init__(self) -> None:
        self._running: asyncio.Task[None] | None = None

    async def start(self) -> None:
        logger.warning(IN_MEMORY_MESSAGE)
        queue = procrastinate_app.current_app
        self._running = asyncio.create_task(
            queue.run_worker_async(
                install_signal_handlers=False,
                listen_notify=False,
                fetch_job_polling_interval=0.2,
                worker_middleware=[job_log_context],
            )
        )

    async def stop(self) -> None:
        if self._running is not None:
            self._running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._running
