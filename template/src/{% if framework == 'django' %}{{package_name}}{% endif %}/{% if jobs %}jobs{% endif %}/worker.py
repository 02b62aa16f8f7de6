"""`python -m <package> worker`: core/jobs/worker.py runs the queue's jobs (its rules: signals, the shutdown timeout,
stalled jobs, exit status 75, the health server); here, what Django needs around it: the app registry set up, the
service's integrations wired as the API's are, and procrastinate's Django app on a connector of the worker's own.
"""

from __future__ import annotations

import asyncio

from ..config import Settings
from ..core.jobs.worker import refused, worker_parser


def worker_command(arguments: list[str], *, program: str) -> int:
    options = worker_parser(program).parse_args(arguments)
    from ..config import service_settings  # noqa: PLC0415 - the settings module exits on invalid settings

    settings = service_settings()
    if (status := refused(settings)) is not None:
        return status
    from ..core.jobs.logs import install_job_log_fields  # noqa: PLC0415
    from ..core.logs import configure_logging  # noqa: PLC0415

    configure_logging(settings)
    install_job_log_fields()
    import django  # noqa: PLC0415 - configured by service_settings

    django.setup(set_prefix=False)
    from ..integrations import wiring  # noqa: PLC0415 - needs the app registry

    wiring()  # the service's integrations, set up as the API's are
    concurrency = options.concurrency or settings.jobs_concurrency
    return asyncio.run(run_service_worker(settings, concurrency=concurrency, queues=options.queues))


async def run_service_worker(settings: Settings, *, concurrency: int, queues: list[str] | None) -> int:
    """Runs the jobs until a stop signal; returns the exit status (`WorkerState.loop_ended`)."""
    from procrastinate.contrib.django import procrastinate_app, utils  # noqa: PLC0415
    from procrastinate.psycopg_connector import PsycopgConnector  # noqa: PLC0415

    from ..api.events import publisher  # noqa: PLC0415
    from ..core.jobs.parts import WorkerParts, worker_parts  # noqa: PLC0415
    from ..core.jobs.worker import run_worker  # noqa: PLC0415

    queue = procrastinate_app.current_app
    # Its own connections (LISTEN/NOTIFY, fetching jobs); the tasks use Django's, as requests do.
    connector = PsycopgConnector(kwargs={**utils.connector_params(), "application_name": "worker"})

    async def database_reachable() -> bool:
        await connector.execute_query_one_async("SELECT 1 AS one")
        return True

    parts = worker_parts(f"{__package__}.worker_parts", WorkerParts(connector), settings)
    events = publisher()
    events.publish_on(asyncio.get_running_loop())  # the jobs' changes reach the API's event stream (sent only)
    try:
        with queue.replace_connector(connector):
            return await run_worker(
                queue,
                settings,
                concurrency=concurrency,
                queues=queues,
                parts=parts,
                database_reachable=database_reachable,
            )
    finally:
        await events.transport.stop()
