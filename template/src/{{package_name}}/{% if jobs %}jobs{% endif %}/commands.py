"""`python -m <package> jobs failed | retry <job_id>` (core/jobs/commands.py) on this service's queue
(command_queue.py)."""

from __future__ import annotations

import asyncio

from ..core.jobs.commands import jobs_parser, refused, run_jobs_action
from .command_queue import command_queue, service_settings


def jobs_command(arguments: list[str], *, program: str) -> int:
    options = jobs_parser(program).parse_args(arguments)
    settings = service_settings()
    if (status := refused(settings.database, settings.database_connect_timeout)) is not None:
        return status
    return asyncio.run(run_jobs_action(command_queue(settings), options))
