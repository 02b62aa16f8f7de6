"""`python -m <package> jobs failed | retry <job_id>` (core/jobs/commands.py) on this service's queue."""

from __future__ import annotations

import asyncio

from ..config import ConfigurationError, load_settings
from ..core.jobs.commands import jobs_parser, refused, run_jobs_action
from ..core.settings import report_configuration_error
from .queue import configure_queue, queue


def jobs_command(arguments: list[str], *, program: str) -> int:
    options = jobs_parser(program).parse_args(arguments)
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        return report_configuration_error(exc)
    if (status := refused(settings.database)) is not None:
        return status
    configure_queue(settings)
    return asyncio.run(run_jobs_action(queue, options))
