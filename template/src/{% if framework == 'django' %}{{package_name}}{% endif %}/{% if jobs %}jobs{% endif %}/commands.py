"""`python -m <package> jobs failed | retry <job_id>` (core/jobs/commands.py) on procrastinate's Django app (the
Django admin lists the jobs too, under Procrastinate)."""

from __future__ import annotations

import asyncio

from ..core.jobs.commands import jobs_parser, refused, run_jobs_action


def jobs_command(arguments: list[str], *, program: str) -> int:
    options = jobs_parser(program).parse_args(arguments)
    from ..config import service_settings  # noqa: PLC0415 - the settings module exits on invalid settings

    if (status := refused(service_settings().database)) is not None:
        return status
    import django  # noqa: PLC0415 - configured by service_settings

    django.setup(set_prefix=False)
    from procrastinate.contrib.django import procrastinate_app  # noqa: PLC0415 - needs the app registry

    return asyncio.run(run_jobs_action(procrastinate_app.current_app, options))
