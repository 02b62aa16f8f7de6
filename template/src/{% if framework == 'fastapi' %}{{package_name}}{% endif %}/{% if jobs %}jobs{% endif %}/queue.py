"""The job queue: one procrastinate `App` whose tasks are declared once (`@queue.task`) and deferred from routes with
`defer()`, in the request's own transaction. A package of the service declares its tasks in its own `tasks.py`
(`items/tasks.py`, `bookings/tasks.py`): the worker finds them (`task_modules`), no list names them.

Where the queue lives depends on the database (`configure_queue`): PostgreSQL's procrastinate tables (the worker,
`python -m <package> worker`, runs the jobs), or, without PostgreSQL (the development and test fallback), an
in-memory queue whose jobs a worker inside the API process runs (`run_in_process_worker`, core/jobs/in_process.py).
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Final

from procrastinate import App, PsycopgConnector
from procrastinate.tasks import Task
from procrastinate.testing import InMemoryConnector
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from ..api.events import EventPublisher, PendingEvents
from ..config import Settings
from ..core.jobs.in_process import InProcessWorker
from ..core.jobs.logs import deferred_arguments, quiet_start_listings
from .connector import ServiceConnector

quiet_start_listings()

connector = ServiceConnector()


def task_modules(package: str) -> tuple[str, ...]:
    """Every `<package>.<domain>.tasks` module: the `tasks` module of each package directly inside the service's
    (`jobs/tasks.py`, `items/tasks.py`, `users/tasks.py`, a new `bookings/tasks.py`). Found on disk, not imported
    here: the packages that defer jobs depend on this one, never the reverse; procrastinate imports them when a
    worker starts, which registers their tasks and periodic schedules."""
    found = []
    for location in importlib.import_module(package).__path__:
        for domain in pkgutil.iter_modules([location]):
            modules = pkgutil.iter_modules([str(Path(location, domain.name))]) if domain.ispkg else ()
            if any(module.name == "tasks" for module in modules):
                found.append(f"{package}.{domain.name}.tasks")
    return tuple(sorted(found))


TASK_MODULES: Final = task_modules(__package__.rpartition(".")[0])
queue = App(connector=connector, import_paths=TASK_MODULES)


class JobDatabase:
    """The engine, the event publisher and the settings the tasks use: the worker's own, or the API process's
    (in-process worker)."""

    engine: AsyncEngine | None = None
    events: EventPublisher | None = None
    settings: Settings | None = None

    @classmethod
    def current_settings(cls) -> Settings:
        """The settings of the process running the job (a task never reads the environment again: the API process
        running the jobs itself may have been given settings of its own)."""
        if cls.settings is None:
            raise RuntimeError("no settings for the jobs: the worker or the app's lifespan sets them")
        return cls.settings

    @classmethod
    def get(cls) -> AsyncEngine:
        if cls.engine is None:
            raise RuntimeError("no database for the jobs: the worker or the app's lifespan sets it")
        return cls.engine

    @classmethod
    @contextlib.asynccontextmanager
    async def transaction(cls) -> AsyncIterator[tuple[AsyncConnection, PendingEvents]]:
        """One transaction of a job, and the events of its writes, published as a request's are: in the
        transaction or once it has committed, never when it rolls back (api/events.py)."""
        if cls.events is None:
            raise RuntimeError("no event publisher for the jobs: the worker or the app's lifespan sets it")
        events = cls.events.pending()
        async with cls.get().begin() as connection:
            yield connection, events
        await events.committed()  # not reached when the block or the commit raised


def configure_queue(settings: Settings) -> bool:
    """Points the queue at PostgreSQL, or at an in-memory queue without it; True when it is PostgreSQL."""
    database = settings.database
    if database.engine == "postgresql":
        # psycopg prepares a query run five times: behind a transaction pooler, the next server connection lacks it.
        unprepared = {"prepare_threshold": None} if database.transaction_pooled else {}
        size = settings.jobs_concurrency + 2
        connector.use(PsycopgConnector(conninfo=database.url, kwargs=unprepared, min_size=1, max_size=size))
        return True
    connector.use(InMemoryConnector())
    return False


async def defer(session: AsyncSession | AsyncConnection, task: Task[Any, Any, Any], **arguments: Any) -> int:
    """Defers `task(**arguments)` in the request's transaction (or a job's connection's): the job exists once the
    writes commit, and never if they roll back. Returns the job's id."""
    arguments = deferred_arguments(arguments)
    connection = await session.connection() if isinstance(session, AsyncSession) else session
    if connection.dialect.name != "postgresql":
        # The in-memory queue of development and test without PostgreSQL: not transactional (the task retries
        # until the rows it needs are committed: see tasks.py).
        return await task.defer_async(**arguments)
    return await task.configure(connection=connection).defer_async(**arguments)


@contextlib.asynccontextmanager
async def run_in_process_worker(settings: Settings, engine: AsyncEngine, events: EventPublisher) -> AsyncIterator[None]:
    """Without PostgreSQL: a worker inside this process runs the in-memory queue's jobs while the app serves, its
    events published by the app's publisher."""
    JobDatabase.engine = engine
    JobDatabase.events = events
    JobDatabase.settings = settings
    worker = InProcessWorker(queue, concurrency=settings.jobs_concurrency)
    await worker.start()
    try:
        yield
    finally:
        await worker.stop()
        JobDatabase.engine = None
        JobDatabase.events = None
        JobDatabase.settings = None
