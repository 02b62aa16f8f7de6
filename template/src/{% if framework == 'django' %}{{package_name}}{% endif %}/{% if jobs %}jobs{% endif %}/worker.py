"""`python -m <package> worker [--concurrency N] [--queues a,b]`: runs the jobs of the PostgreSQL queue until SIGTERM.

- Its name is unique (`<host>-<pid>-<random>`): a restarted worker never takes over a dead one's jobs by name.
- SIGTERM (or Ctrl-C): it takes no new job, and waits JOBS_SHUTDOWN_TIMEOUT seconds for the running ones; those
  still running then are aborted and retried by the next worker. Readiness answers 503 from the signal on.
- At start, and every minute after (tasks.py), it retries the running jobs of workers without a heartbeat for
  JOBS_STALLED_AFTER seconds (killed with SIGKILL, or cut off from the database).
- Its health on JOBS_HEALTH_PORT: `GET /health/live`, `GET /health/ready` (the database answers, the worker loop
  runs, no stop was asked), for the orchestrator's probes.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import signal
import socket
import sys
from typing import Any

from ..config import Settings

logger = logging.getLogger(__name__)

# Often, and whatever JOBS_STALLED_AFTER is: a worker starting with a shorter threshold than the others would otherwise
# prune their rows as stalled (and each would then fail at its next job). One small UPDATE per worker per beat.
HEARTBEAT_EVERY_S = 2.0
POLL_EVERY_S = 1.0  # jobs scheduled for later (retries) are found by polling; new ones arrive by LISTEN/NOTIFY


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


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
    from ..server import service_settings  # noqa: PLC0415 - the settings module exits on invalid settings

    settings = service_settings()
    if settings.database.engine != "postgresql":
        print(
            "worker: the queue is a PostgreSQL table and DATABASE_URL names no PostgreSQL database "
            "(without one, the service runs its jobs itself)",
            file=sys.stderr,
        )
        return 2
    from ..core.logs import configure_logging  # noqa: PLC0415

    configure_logging(settings)
    import django  # noqa: PLC0415 - configured by service_settings

    django.setup(set_prefix=False)
    from ..integrations import wiring  # noqa: PLC0415 - needs the app registry

    wiring()  # error reports and metrics, as the service has them
    concurrency = options.concurrency or settings.jobs_concurrency
    asyncio.run(run_worker(settings, concurrency=concurrency, queues=options.queues))
    return 0


async def run_worker(settings: Settings, *, concurrency: int, queues: list[str] | None) -> None:
    from procrastinate.contrib.django import procrastinate_app, utils  # noqa: PLC0415
    from procrastinate.psycopg_connector import PsycopgConnector  # noqa: PLC0415
    from procrastinate.worker import Worker  # noqa: PLC0415

    from .health import WorkerHealth  # noqa: PLC0415
    from .tasks import retry_stalled  # noqa: PLC0415

    queue = procrastinate_app.current_app
    # Its own connections (LISTEN/NOTIFY and the job fetching); the tasks use Django's, as requests do.
    connector = PsycopgConnector(kwargs={**utils.connector_params(), "application_name": "worker"})
    options: dict[str, Any] = {
        **queue.worker_defaults,  # Django's connection cleanup around each task
        "name": worker_name(),
        "concurrency": concurrency,
        "queues": queues,
        "shutdown_graceful_timeout": settings.jobs_shutdown_timeout,
        "update_heartbeat_interval": min(HEARTBEAT_EVERY_S, settings.jobs_stalled_after / 4),
        "stalled_worker_timeout": settings.jobs_stalled_after,
        "fetch_job_polling_interval": POLL_EVERY_S,
        "install_signal_handlers": False,  # ours below: readiness must know
    }
    with queue.replace_connector(connector):
        async with queue.open_async():
            queue.perform_import_paths()  # type: ignore[no-untyped-call] # procrastinate leaves it unannotated
            await retry_stalled(queue, settings.jobs_stalled_after)
            worker = Worker(app=queue, **options)
            health = WorkerHealth(connector, settings.host, settings.jobs_health_port)
            loop = asyncio.get_running_loop()

            def stop() -> None:
                health.stopping = True
                worker.stop()  # type: ignore[no-untyped-call]

            for stop_signal in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(stop_signal, stop)
            await health.start()
            running = asyncio.create_task(worker.run())  # type: ignore[no-untyped-call]
            health.worker_loop = running
            try:
                await running
            finally:
                await health.close()
