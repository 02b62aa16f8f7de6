"""`python -m <package> jobs failed` lists the jobs that failed for good; `jobs retry <job_id>` queues one again."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from ..config import ConfigurationError, load_settings
from ..core.commands import announce_database
from ..core.settings import report_configuration_error
from .queue import configure_queue, queue
from .worker import NEEDS_POSTGRESQL, USAGE_EXIT_STATUS


def jobs_command(arguments: list[str], *, program: str) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {program} jobs", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("failed", help="list the jobs that failed for good")
    retry = commands.add_parser("retry", help="queue a failed job again")
    retry.add_argument("job_id", type=int)
    options = parser.parse_args(arguments)
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        return report_configuration_error(exc)
    announce_database(settings.database, "jobs")
    if not configure_queue(settings):
        print(NEEDS_POSTGRESQL, file=sys.stderr)
        return USAGE_EXIT_STATUS
    if options.command == "failed":
        return asyncio.run(_list_failed())
    return asyncio.run(_retry(options.job_id))


async def _list_failed() -> int:
    async with queue.open_async():
        jobs = list(await queue.job_manager.list_jobs_async(status="failed"))
    for job in jobs:
        print(f"{job.id}\t{job.task_name}\tattempts={job.attempts}\t{job.queue}")
    print(f"{len(jobs)} failed job(s)", file=sys.stderr)
    return 0


async def _retry(job_id: int) -> int:
    async with queue.open_async():
        found = list(await queue.job_manager.list_jobs_async(id=job_id))
        if not found or found[0].status != "failed":
            print(f"no failed job {job_id}", file=sys.stderr)
            return 1
        await queue.job_manager.retry_job_by_id_async(job_id=job_id, retry_at=datetime.now(UTC))
    print(f"job {job_id} queued again")
    return 0
