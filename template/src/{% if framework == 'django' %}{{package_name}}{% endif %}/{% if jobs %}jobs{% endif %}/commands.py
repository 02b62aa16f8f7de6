"""`python -m <package> jobs failed | retry <job_id>`: the jobs that failed their last attempt, and running one again
(the Django admin lists them too, under Procrastinate)."""

from __future__ import annotations

import argparse
import json
import sys

from ..core.commands import USAGE_EXIT_STATUS, announce_database


def parser(program: str) -> argparse.ArgumentParser:
    parsing = argparse.ArgumentParser(prog=f"{program} jobs", description="The queue's failed jobs.")
    actions = parsing.add_subparsers(dest="action", required=True)
    actions.add_parser("failed", help="list the jobs that failed their last attempt: id, task, attempts, arguments")
    retry = actions.add_parser("retry", help="run a failed job again, now")
    retry.add_argument("job_id", type=int)
    return parsing


def jobs_command(arguments: list[str], *, program: str) -> int:
    options = parser(program).parse_args(arguments)
    from ..config import service_settings  # noqa: PLC0415 - the settings module exits on invalid settings

    database = service_settings().database
    announce_database(database, "jobs")
    if database.engine != "postgresql":
        print("jobs: DATABASE_URL names no PostgreSQL database, where the queue is", file=sys.stderr)
        return USAGE_EXIT_STATUS
    import django  # noqa: PLC0415 - configured by service_settings
    from django.utils import timezone  # noqa: PLC0415

    django.setup(set_prefix=False)
    from procrastinate.contrib.django import app  # noqa: PLC0415 - needs the app registry

    if options.action == "failed":
        for job in app.job_manager.list_jobs(status="failed"):
            print(f"{job.id}\t{job.task_name}\t{job.attempts}\t{json.dumps(job.task_kwargs, sort_keys=True)}")
        return 0
    failed = list(app.job_manager.list_jobs(id=options.job_id, status="failed"))
    if not failed:
        print(f"jobs: no failed job {options.job_id} (`jobs failed` lists them)", file=sys.stderr)
        return 1
    app.job_manager.retry_job_by_id(options.job_id, retry_at=timezone.now())
    print(f"job {options.job_id} ({failed[0].task_name}) will run again")
    return 0
