"""`python -m <package> jobs failed | retry <job_id>`: the jobs that failed their last attempt, and running one again.
`jobs/commands.py` loads the settings and gives these the framework's queue (`jobs/command_queue.py`)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from procrastinate import App

from ..commands import USAGE_EXIT_STATUS, announce_database
from .first_connection import unreachable
from .health import RESTART_EXIT_STATUS

if TYPE_CHECKING:
    from ..database import Database

NEEDS_POSTGRESQL: Final = "jobs: the queue is in PostgreSQL, and DATABASE_URL names no postgresql:// database"


def jobs_parser(program: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m {program} jobs", description="The queue's failed jobs.")
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("failed", help="list the jobs that failed for good: id, task, attempts, queue, arguments")
    retry = actions.add_parser("retry", help="run a failed job again, now")
    retry.add_argument("job_id", type=int)
    return parser


def refused(database: Database, connect_timeout_s: float) -> int | None:
    """The exit status of a command that must not run on this database (after saying why), or None."""
    announce_database(database, "jobs")
    if database.engine != "postgresql":
        print(NEEDS_POSTGRESQL, file=sys.stderr)
        return USAGE_EXIT_STATUS
    if reason := unreachable(database, connect_timeout_s):
        print(f"jobs: {reason}", file=sys.stderr)
        return RESTART_EXIT_STATUS
    return None


async def run_jobs_action(queue: App, options: argparse.Namespace) -> int:
    """What `options` (`jobs_parser`'s) ask of `queue`; the exit status."""
    async with queue.open_async():
        if options.action == "failed":
            return await list_failed(queue)
        return await retry_failed(queue, options.job_id)


async def list_failed(queue: App) -> int:
    jobs = list(await queue.job_manager.list_jobs_async(status="failed"))
    for job in jobs:
        arguments = json.dumps(job.task_kwargs, sort_keys=True)
        print(f"{job.id}\t{job.task_name}\tattempts={job.attempts}\t{job.queue}\t{arguments}")
    print(f"{len(jobs)} failed job(s)", file=sys.stderr)
    return 0


async def retry_failed(queue: App, job_id: int) -> int:
    failed = list(await queue.job_manager.list_jobs_async(id=job_id, status="failed"))
    if not failed:
        print(f"jobs: no failed job {job_id} (`jobs failed` lists them)", file=sys.stderr)
        return 1
    await queue.job_manager.retry_job_by_id_async(job_id=job_id, retry_at=datetime.now(UTC))
    print(f"job {job_id} ({failed[0].task_name}) will run again")
    return 0
