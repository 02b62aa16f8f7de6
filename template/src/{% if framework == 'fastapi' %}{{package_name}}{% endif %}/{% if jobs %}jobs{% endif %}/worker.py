"""`python -m <package> worker`: core/jobs/worker.py runs the queue's jobs (its rules: signals, the shutdown timeout,
stalled jobs, exit status 75, the health server); here, what the jobs of this service need around it: the queue's
connector to PostgreSQL (queue.py), and the engine and event publisher their writes go through (`JobDatabase`).
"""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from ..api.events import EventPublisher
from ..config import ConfigurationError, Settings, load_settings
from ..core.jobs.logs import install_job_log_fields
from ..core.jobs.parts import WorkerParts, worker_parts
from ..core.jobs.worker import refused, run_worker, worker_parser
from ..core.logs import configure_logging
from ..core.settings import report_configuration_error
from ..database import create_engine
from .queue import JobDatabase, configure_queue, queue


def worker_command(arguments: list[str], *, program: str) -> int:
    options = worker_parser(program).parse_args(arguments)
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        return report_configuration_error(exc)
    if (status := refused(settings)) is not None:
        return status
    configure_logging(settings)
    install_job_log_fields()
    concurrency = options.concurrency or settings.jobs_concurrency
    return asyncio.run(run_service_worker(settings, concurrency=concurrency, queues=options.queues))


async def run_service_worker(settings: Settings, *, concurrency: int, queues: list[str] | None) -> int:
    """Runs the jobs until a stop signal; returns the exit status (`WorkerState.loop_ended`)."""
    configure_queue(settings)
    engine = create_engine(settings)
    JobDatabase.engine = engine
    JobDatabase.settings = settings
    # The jobs' changes reach the API's event stream: sent, not listened to (nothing is started).
    events = EventPublisher(settings, engine)
    JobDatabase.events = events

    async def database_reachable() -> bool:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True

    parts = worker_parts(f"{__package__}.worker_parts", WorkerParts(queue.connector), settings)
    try:
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
        await engine.dispose()
        JobDatabase.engine = None
        JobDatabase.events = None
        JobDatabase.settings = None
