"""A new app's tasks are found, not listed: procrastinate's Django app imports the `tasks` module of every installed
app when the worker starts. Here a real worker runs with one more app, `tasks_probe` (written by the test beside the
project, as a team adds one beside `items`; not `bookings`, which a grown service may hold for real), whose
`tasks.py` no file names: its job runs.

Skipped without PostgreSQL: the queue is a PostgreSQL table.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connection, transaction
from procrastinate.contrib.django import app

from ..postgres_cluster import server_binaries
from ..processes import PACKAGE
from .workers import start_worker, wait_for

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(
        server_binaries() is None and not os.environ.get("TEST_DATABASE_URL", "").strip(),
        reason="the job queue is a PostgreSQL table: no PostgreSQL here",
    ),
    pytest.mark.django_db(transaction=True),  # committed: the worker is another process
]

BOOKINGS_TASKS = """
from pathlib import Path

from procrastinate.contrib.django import app


@app.task(name="tasks_probe.confirm")
def confirm_booking(marker: str) -> None:
    Path(marker).write_text("confirmed")
"""

PLANTED_SETTINGS = """
from {package}.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tasks_probe"]  # noqa: F405
"""


def test_a_new_apps_tasks_are_found_and_run_by_the_worker(tmp_path: Path) -> None:
    planted = tmp_path / "planted"
    (planted / "tasks_probe").mkdir(parents=True)
    (planted / "tasks_probe" / "__init__.py").write_text("")
    (planted / "tasks_probe" / "tasks.py").write_text(BOOKINGS_TASKS)
    (planted / "planted_settings.py").write_text(PLANTED_SETTINGS.format(package=PACKAGE))
    marker = tmp_path / "confirmed"
    with transaction.atomic():  # by name: this process has no such task
        job_id = app.configure_task("tasks_probe.confirm").defer(marker=str(marker))
    worker = start_worker(
        "--queues",
        "default",
        cwd=tmp_path,
        imports=[PACKAGE],  # a new interpreter, with the settings below
        DJANGO_SETTINGS_MODULE="planted_settings",
        PYTHONPATH=str(planted),
    )
    try:
        status = wait_for(lambda: finished_status(job_id), "the job to run", worker)
    finally:
        assert worker.stop() == 0, worker.read_output()
    assert status == "succeeded", worker.read_output()
    assert marker.read_text() == "confirmed"


def finished_status(job_id: int) -> str | None:
    """The job's status once it has run (an unknown task fails at once, for good)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT status FROM procrastinate_jobs WHERE id = %s", [job_id])
        row = cursor.fetchone()
    status = None if row is None else str(row[0])
    return status if status in ("succeeded", "failed") else None
