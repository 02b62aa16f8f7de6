"""`python -m <package> worker [--concurrency N] [--queues a,b]`: runs the jobs of the PostgreSQL queue until
SIGTERM or SIGINT.

- Its name is unique (core/jobs/naming.py): a restarted worker is never taken for the one it replaces.
- SIGTERM: readiness answers 503, it takes no new job and waits JOBS_SHUTDOWN_TIMEOUT seconds for the running ones;
  those still running then stop at their next step and are retried by another worker.
- At start, and every minute after (tasks.py), it retries the running jobs of workers without a heartbeat for
  JOBS_STALLED_AFTER seconds (killed with SIGKILL, or cut off from the database).
- A job loop that ends without a signal (PostgreSQL restarted or failed over) exits with status 75 for the
  supervisor to start a fresh worker (`WorkerState.loop_ended`); readiness says so until then.
- Its health server on JOBS_HEALTH_PORT (core/jobs/health.py): `/health/live`, `/health/ready`, and `/metrics`
  when the service has metrics.
- Every log line a job writes carries `job_id`, `task` and the `request_id` that deferred it (core/jobs/logs.py).
- It refuses to start on settings the API would refuse to serve with (core/settings.py's `serving_problems`).
- What the service's integrations add to it (error reports, metrics) comes from `worker_parts/` (core/jobs/parts.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from typing import Any, Final

from ..config import Settings
from ..core.commands import USAGE_EXIT_STATUS, announce_database
from ..core.settings import ConfigurationError, report_configuration_error

logger = logging.getLogger(__name__)

# Jobs scheduled for later (retries) are found by polling; new ones arrive by NOTIFY, or by polling behind a
# transaction pooler (DATABASE_POOLER=transaction).
POLL_EVERY_S: Final = 1.0
NEEDS_POSTGRESQL: Final = (
    "worker: the queue is a PostgreSQL table and DATABASE_URL names no PostgreSQL database "
    "(without one, the service runs its jobs itself, from memory)"
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


def parser(program: str) -> argparse.ArgumentParser:
    parsing = argparse.ArgumentParser(prog=f"{program} worker", description="Run the jobs of the queue until SIGTERM.")
    parsing.add_argument("--concurrency", type=positive, help="jobs run at once (default: JOBS_CONCURRENCY)")
    parsing.add_argument("--queues", type=queue_names, help="comma-separated queues to take jobs from (default: all)")
    return parsing


def worker_command(arguments: list[str], *, program: str) -> int:
    options = parser(program).parse_args(arguments)
    from ..config import service_settings  # noqa: PLC0415 - the settings module exits on invalid settings

    settings = service_settings()
    announce_database(settings.database, "worker")
    if problems := settings.serving_problems():  # the API's rule too (core/settings.py)
        return report_configuration_error(ConfigurationError(problems))
    if settings.database.engine != "postgresql":
        print(NEEDS_POSTGRESQL, file=sys.stderr)
        return USAGE_EXIT_STATUS
    from ..core.jobs.logs import install_job_log_fields  # noqa: PLC0415
    from ..core.logs import configure_logging  # noqa: PLC0415

    configure_logging(settings)
    install_job_log_fields()
    import django  # noqa: PLC0415 - configured by service_settings

    django.setup(set_prefix=False)
    from ..integrations import wiring  # noqa: PLC0415 - needs the app registry

    wiring()  # the service's integrations, set up as the API's are
    concurrency = options.concurrency or settings.jobs_concurrency
    return asyncio.run(run_worker(settings, concurrency=concurrency, queues=options.queues))


async def run_worker(settings: Settings, *, concurrency: int, queues: list[str] | None) -> int:
    """Runs the jobs until a stop signal; returns the exit status (`WorkerState.loop_ended`)."""
    from procrastinate.contrib.django import procrastinate_app, utils  # noqa: PLC0415
    from procrastinate.psycopg_connector import PsycopgConnector  # noqa: PLC0415
    from procrastinate.worker import Worker  # noqa: PLC0415

    from ..api.events import publisher  # noqa: PLC0415
    from ..core.jobs.health import WorkerHealthServer, WorkerState  # noqa: PLC0415
    from ..core.jobs.heartbeat import heartbeat_interval  # noqa: PLC0415
    from ..core.jobs.naming import worker_name  # noqa: PLC0415
    from ..core.jobs.parts import WorkerParts, worker_parts  # noqa: PLC0415
    from .tasks import retry_stalled  # noqa: PLC0415

    queue = procrastinate_app.current_app
    # Its own connections (LISTEN/NOTIFY, fetching jobs); the tasks use Django's, as requests do.
    connector = PsycopgConnector(kwargs={**utils.connector_params(), "application_name": "worker"})
    state = WorkerState()

    async def database_reachable() -> bool:
        await connector.execute_query_one_async("SELECT 1 AS one")
        return True

    parts = worker_parts(f"{__package__}.worker_parts", WorkerParts(connector), settings)
    health = WorkerHealthServer(state, database_reachable, parts.metrics)
    name = worker_name()
    options: dict[str, Any] = {
        **queue.worker_defaults,  # Django's connection cleanup around each task
        "name": name,
        "concurrency": concurrency,
        "queues": queues,
        "shutdown_graceful_timeout": settings.jobs_shutdown_timeout,
        "update_heartbeat_interval": heartbeat_interval(settings.jobs_stalled_after),
        "stalled_worker_timeout": settings.jobs_stalled_after,
        "fetch_job_polling_interval": POLL_EVERY_S,
        # A LISTEN through a transaction pooler hears nothing once its transaction ends: the worker polls.
        "listen_notify": not settings.database.transaction_pooled,
        "install_signal_handlers": False,  # ours below: readiness turns 503 first
        "worker_middleware": parts.middleware,
    }
    with queue.replace_connector(connector):
        async with contextlib.AsyncExitStack() as opened:
            await opened.enter_async_context(queue.open_async())
            for context in parts.contexts:  # what the parts wrap the job loop in
                await opened.enter_async_context(context)
            queue.perform_import_paths()  # type: ignore[no-untyped-call] # procrastinate leaves it unannotated
            await health.start(settings.host, settings.jobs_health_port)
            retried = await retry_stalled(queue, settings.jobs_stalled_after)
            logger.info("worker starting", extra={"worker": name, "concurrency": concurrency, "retried": retried})
            worker = Worker(app=queue, **options)
            loop = asyncio.get_running_loop()
            events = publisher()
            events.publish_on(loop)  # the jobs' changes reach the API's event stream (sent, not listened to)

            def stop() -> None:
                state.stopping = True
                worker.stop()  # type: ignore[no-untyped-call]

            for stop_signal in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(stop_signal, stop)
            state.running = True
            try:
                await worker.run()  # type: ignore[no-untyped-call]
                status = state.loop_ended()  # 0 only after a stop signal
            except Exception as error:  # the database failed under procrastinate's own shutdown too
                status = state.loop_ended(error)
            finally:
                await health.close()
                await events.transport.stop()
                for close in parts.on_close:  # e.g. send the error reports still queued
                    await close()
    logger.info("worker stopped", extra={"worker": name, "exit_status": status})
    return status
