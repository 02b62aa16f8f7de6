"""`python -m <package> worker [--concurrency N] [--queues a,b]`: runs the queue's jobs until SIGTERM or
SIGINT, then lets the running ones finish for up to JOBS_SHUTDOWN_TIMEOUT seconds (those still running are aborted
and retried by the next worker: nothing stays `doing`). Its health server answers a Kubernetes probe on
JOBS_HEALTH_PORT (core/jobs/health.py). A job loop that ends without a signal (PostgreSQL restarted or failed over)
exits with status 75 for the supervisor to start a fresh worker (`WorkerState.loop_ended`). What the service's
integrations add (error reports, metrics, the application cache's invalidation) comes from `worker_parts/`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from typing import Final

from procrastinate.app import WorkerOptions
from sqlalchemy import text

from ..api.events import EventPublisher
from ..config import ConfigurationError, Settings, load_settings
from ..core.commands import announce_database
from ..core.jobs.health import WorkerHealthServer, WorkerState
from ..core.jobs.heartbeat import heartbeat_interval
from ..core.jobs.logs import install_job_log_fields
from ..core.jobs.naming import worker_name
from ..core.jobs.parts import WorkerParts, worker_parts
from ..core.logs import configure_logging
from ..core.settings import report_configuration_error
from ..database import create_engine
from .queue import JobDatabase, configure_queue, queue
from .tasks import recover_stalled_jobs

logger = logging.getLogger(__name__)

# Jobs scheduled for later (retries) are found by polling; new ones arrive by NOTIFY, or by polling behind a
# transaction pooler (DATABASE_POOLER=transaction).
POLL_EVERY_S: Final = 1.0

USAGE_EXIT_STATUS: Final = 2
NEEDS_POSTGRESQL: Final = (
    "the worker needs PostgreSQL: set DATABASE_URL to a postgresql:// URL (without one, the API process runs the "
    "jobs itself, from an in-memory queue)"
)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def worker_command(arguments: list[str], *, program: str) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {program} worker", description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=_positive, help="jobs run at once (default: JOBS_CONCURRENCY)")
    parser.add_argument("--queues", help="comma-separated queues to take jobs from (default: every queue)")
    options = parser.parse_args(arguments)
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        return report_configuration_error(exc)
    announce_database(settings.database, "worker")
    if problems := settings.serving_problems():  # the API's rule too (core/settings.py)
        return report_configuration_error(ConfigurationError(problems))
    if settings.database.engine != "postgresql":
        print(NEEDS_POSTGRESQL, file=sys.stderr)
        return USAGE_EXIT_STATUS
    configure_logging(settings)
    install_job_log_fields()
    queues = [name.strip() for name in options.queues.split(",") if name.strip()] if options.queues else None
    concurrency = options.concurrency or settings.jobs_concurrency
    return asyncio.run(run_worker(settings, concurrency=concurrency, queues=queues))


async def run_worker(settings: Settings, *, concurrency: int, queues: list[str] | None) -> int:
    """Runs the jobs until a stop signal; returns the exit status (`WorkerState.loop_ended`)."""
    configure_queue(settings)
    engine = create_engine(settings)
    JobDatabase.engine = engine
    JobDatabase.settings = settings
    # The jobs' changes reach the API's event stream: sent, not listened to (nothing is started).
    events = EventPublisher(settings, engine)
    JobDatabase.events = events
    state = WorkerState()

    async def database_reachable() -> bool:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True

    parts = worker_parts(f"{__package__}.worker_parts", WorkerParts(queue.connector), settings)
    health = WorkerHealthServer(state, database_reachable, parts.metrics)
    name = worker_name()
    async with contextlib.AsyncExitStack() as opened:
        await opened.enter_async_context(queue.open_async())
        for context in parts.contexts:  # e.g. the jobs' writes invalidate what the API cached
            await opened.enter_async_context(context)
        await health.start(settings.host, settings.jobs_health_port)
        retried = await recover_stalled_jobs(settings.jobs_stalled_after)
        logger.info("worker starting", extra={"worker": name, "concurrency": concurrency, "stalled_retried": retried})
        options: WorkerOptions = {
            "name": name,
            "concurrency": concurrency,
            "shutdown_graceful_timeout": settings.jobs_shutdown_timeout,
            "install_signal_handlers": False,  # ours below: readiness turns 503 first
            "update_heartbeat_interval": heartbeat_interval(settings.jobs_stalled_after),
            "stalled_worker_timeout": settings.jobs_stalled_after,
            "fetch_job_polling_interval": POLL_EVERY_S,
            # A LISTEN through a transaction pooler hears nothing once its transaction ends: the worker polls.
            "listen_notify": not settings.database.transaction_pooled,
            "worker_middleware": parts.middleware,
        }
        if queues:  # none given: every queue
            options["queues"] = queues
        worker = asyncio.create_task(queue.run_worker_async(**options))
        loop = asyncio.get_running_loop()

        def stop(signum: int) -> None:
            # Readiness turns 503 at once; procrastinate stops taking jobs and waits for the running ones.
            logger.info("worker stopping", extra={"signal": signal.Signals(signum).name})
            state.stopping = True
            worker.cancel()

        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop, signum)
        state.running = True
        try:
            await worker
            status = state.loop_ended()  # 0 only after a stop signal
        except asyncio.CancelledError:
            status = state.loop_ended()  # the graceful stop the signal asked for
        except Exception as error:  # the database failed under procrastinate's own shutdown too
            status = state.loop_ended(error)
        finally:
            await health.close()
            await events.transport.stop()
            await engine.dispose()
            JobDatabase.engine = None
            JobDatabase.events = None
            JobDatabase.settings = None
            for close in parts.on_close:  # e.g. send the error reports still queued
                await close()
    logger.info("worker stopped", extra={"worker": name, "exit_status": status})
    return status
