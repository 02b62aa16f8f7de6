"""`python -m <package> worker`: core/jobs/worker.py runs the queue's jobs (its rules: signals, the shutdown timeout,
stalled jobs, exit status 75, the health server); here, what the jobs of this service need around it: the queue, its
connector and what the jobs' writes go through (`WorkerQueue`, command_queue.py), and the worker's parts.
"""

from __future__ import annotations

import asyncio

from ..config import Settings
from ..core.jobs.logs import install_job_log_fields
from ..core.jobs.parts import WorkerParts, worker_parts
from ..core.jobs.worker import refused, run_worker, worker_parser
from ..core.logs import configure_logging
from .command_queue import WorkerQueue, service_settings


def worker_command(arguments: list[str], *, program: str) -> int:
    options = worker_parser(program).parse_args(arguments)
    settings = service_settings()
    if (status := refused(settings)) is not None:
        return status
    configure_logging(settings)
    install_job_log_fields()
    queue = WorkerQueue(settings)
    concurrency = options.concurrency or settings.jobs_concurrency
    return asyncio.run(run_service_worker(queue, settings, concurrency=concurrency, queues=options.queues))


async def run_service_worker(
    queue: WorkerQueue, settings: Settings, *, concurrency: int, queues: list[str] | None
) -> int:
    """Runs the jobs until a stop signal; returns the exit status (`WorkerState.loop_ended`)."""
    async with queue.running():
        parts = worker_parts(f"{__package__}.worker_parts", WorkerParts(queue.connector), settings)
        return await run_worker(
            queue.app,
            settings,
            concurrency=concurrency,
            queues=queues,
            parts=parts,
            database_reachable=queue.database_reachable,
        )
