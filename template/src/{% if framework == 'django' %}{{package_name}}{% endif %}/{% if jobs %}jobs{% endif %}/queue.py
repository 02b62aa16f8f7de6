"""Where this process's jobs go: procrastinate's table in the PostgreSQL database (deferred on Django's own
connection, so inside the request's transaction), or, on the SQLite file of development and test, this process's
memory, where a worker running inside the service carries them out (core/jobs/in_process.py): lost when it stops."""

from __future__ import annotations

from typing import Any, Final

from django.db import DEFAULT_DB_ALIAS, connections
from procrastinate.contrib.django import procrastinate_app
from procrastinate.contrib.django.django_connector import DjangoConnector
from procrastinate.tasks import Task
from procrastinate.testing import InMemoryConnector

from ..core.jobs.logs import deferred_arguments

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
