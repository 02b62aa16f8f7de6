"""`python -m <package> worker [--concurrency N] [--queues a,b]`: runs the jobs of the PostgreSQL queue until
SIGTERM or SIGINT. The rules every worker follows, whatever the framework; `jobs/worker.py` gives it the queue, its
connections and what a job's writes need (its database, its event publisher): the framework's `jobs/command_queue.py`.

- Its name is unique (naming.py): a restarted worker is never taken for the one it replaces.
- SIGTERM: readiness answers 503, it takes no new job and waits JOBS_SHUTDOWN_TIMEOUT seconds for the running ones;
  those still running then stop at their next step and are retried by another worker.
- At start, and every minute after (the framework's `jobs/tasks.py`), it retries the running jobs of workers without
  a heartbeat for JOBS_STALLED_AFTER seconds (killed with SIGKILL, or cut off from the database): upkeep.py.
- A job loop that ends without a signal (PostgreSQL restarted or failed over) exits with status 75 for the
  supervisor to start a fresh worker (`WorkerState.loop_ended`); readiness says so until then.
- Its health server on JOBS_HEALTH_PORT (health.py): `/health/live`, `/health/ready`, and `/metrics` when the service
  has metrics.
- Every log line a job writes carries `job_id`, `task` and the `request_id` that deferred it (logs.py).
- It refuses to start on settings the API would refuse to serve with (core/settings.py's `serving_problems`), and
  without PostgreSQL; a database that does not answer within DATABASE_CONNECT_TIMEOUT is one line and exit status 75
  (first_connection.py).
- What the service's integrations add to it (error reports, metrics) comes from `jobs/worker_parts/` (parts.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from typing import TYPE_CHECKING, Any, Final

from procrastinate import App
from procrastinate.worker import Worker

from ..commands import USAGE_EXIT_STATUS, announce_database
from ..settings import ConfigurationError, report_configuration_error
from .first_connection import unreachable
from .health import RESTART_EXIT_STATUS, DatabaseCheck, WorkerHealthServer, WorkerState
from .heartbeat import heartbeat_interval
from .naming import worker_name
from .parts import WorkerParts
from .upkeep import recover_stalled_jobs

if TYPE_CHECKING:
    from ..settings import ServiceSettings

logger = logging.getLogger(__name__)

# Jobs scheduled for later (retries) are found by polling; new ones arrive by NOTIFY, or by polling behind a
# transaction pooler (DATABASE_POOLER=transaction).
POLL_EVERY_S: Final = 1.0
NEEDS_POSTGRESQL: Final = (
    "the worker needs PostgreSQL, where the queue is: set DATABASE_URL to a postgresql:// URL (without one, the "
    "service runs its jobs itself, from memory)"
)


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def queue_names(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("names no queue")
    return names


def worker_parser(program: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m {program} worker", description="Run the jobs of the queue until SIGTERM."
    )
    parser.add_argument("--concurrency", type=positive, help="jobs run at once (default: JOBS_CONCURRENCY)")
    parser.add_argument("--queues", type=queue_names, help="comma-separated queues to take jobs from (default: all)")
    return parser


def refused(settings: ServiceSettings) -> int | None:
    """The exit status of a worker that must not start on these settings (after saying why), or None."""
    announce_database(settings.database, "worker")
    if problems := settings.serving_problems():  # the API's rule too (core/settings.py)
        return report_configuration_error(ConfigurationError(problems))
    if settings.database.engine != "postgresql":
        print(NEEDS_POSTGRESQL, file=sys.stderr)
        return USAGE_EXIT_STATUS
    if reason := unreachable(settings.database, settings.database_connect_timeout):
        print(f"worker: {reason}", file=sys.stderr)
        return RESTART_EXIT_STATUS
    return None


async def run_worker(
    queue: App,
    settings: ServiceSettings,
    *,
    concurrency: int,
    queues: list[str] | None,
    parts: WorkerParts,
    database_reachable: DatabaseCheck,
) -> int:
    """Runs `queue`'s jobs until a stop signal; returns the exit status (`WorkerState.loop_ended`)."""
    state = WorkerState()
    health = WorkerHealthServer(state, database_reachable, parts.metrics)
    name = worker_name()
    options: dict[str, Any] = {
        **queue.worker_defaults,  # e.g. Django's connection cleanup around each task
        "name": name,
        "concurrency": concurrency,
        "queues": queues,  # None: every queue
        "shutdown_graceful_timeout": settings.jobs_shutdown_timeout,
        "install_signal_handlers": False,  # ours below: readiness turns 503 first
        "update_heartbeat_interval": heartbeat_interval(settings.jobs_stalled_after),
        "stalled_worker_timeout": settings.jobs_stalled_after,
        "fetch_job_polling_interval": POLL_EVERY_S,
        # A LISTEN through a transaction pooler hears nothing once its transaction ends: the worker polls.
        "listen_notify": not settings.database.transaction_pooled,
        "worker_middleware": parts.middleware,
    }
    async with contextlib.AsyncExitStack() as opened:
        await opened.enter_async_context(queue.open_async())
        for context in parts.contexts:  # e.g. the jobs' writes invalidate what the API cached
            await opened.enter_async_context(context)
        queue.perform_import_paths()  # type: ignore[no-untyped-call] # every package's tasks.py: procrastinate's own
        await health.start(settings.host, settings.jobs_health_port)
        retried = await recover_stalled_jobs(queue, settings.jobs_stalled_after)
        logger.info("worker starting", extra={"worker": name, "concurrency": concurrency, "stalled_retried": retried})
        worker = Worker(app=queue, **options)
        loop = asyncio.get_running_loop()

        def stop(signum: int) -> None:
            # Readiness turns 503 at once; procrastinate stops taking jobs and waits for the running ones.
            logger.info("worker stopping", extra={"signal": signal.Signals(signum).name})
            state.stopping = True
            worker.stop()  # type: ignore[no-untyped-call] # procrastinate leaves it unannotated

        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop, signum)
        state.running = True
        try:
            await worker.run()  # type: ignore[no-untyped-call]
            status = state.loop_ended()  # 0 only after a stop signal
        except Exception as error:  # the database failed under procrastinate's own shutdown too
            status = state.loop_ended(error)
        finally:
            await health.close()
            for close in parts.on_close:  # e.g. send the error reports still queued
                await close()
    logger.info("worker stopped", extra={"worker": name, "exit_status": status})
    return status
