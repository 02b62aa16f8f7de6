"""The queue's own tasks (pruning, stalled jobs). A package's tasks live in its own `tasks.py`, found by the worker
(queue.py's `task_modules`): one function and one decorator each (`@queue.task`), periodic ones with
`@queue.periodic`, e.g. in `bookings/tasks.py`:

    @queue.task(name="bookings.confirm", retry=RetryStrategy(max_attempts=3, exponential_wait=2))
    async def confirm_booking(booking_id: str) -> None: ...

    await defer(session, confirm_booking, booking_id=str(booking.id))   # in a route: see items/exports.py

Arguments are JSON (strings, numbers, lists, objects). A job may run more than once (a retry after a crash): make it
harmless, as items/tasks.py's `export_item` does by checking its operation under a row lock. A task's name is what
the queue's rows keep: renaming one strands the jobs already queued under the old name.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import Delete, delete
from sqlalchemy.ext.asyncio import AsyncConnection

from ..config import load_settings
from .operations import FINISHED, operations
from .queue import JobDatabase, queue

logger = logging.getLogger(__name__)

KEEP_FINISHED_OPERATIONS: Final = timedelta(days=30)
"""Finished operations, and succeeded jobs, are kept this long: `prune` deletes them afterwards."""


@queue.periodic(cron="17 * * * *", periodic_id="prune")
@queue.task(name="jobs.prune", queueing_lock="jobs.prune")
async def prune(timestamp: int) -> None:
    """Hourly: deletes what no one can use any more (nothing on the request path does). Each package whose tables
    need it prunes its own the same way, in its `tasks.py` (the accounts: users/tasks.py)."""
    now = datetime.now(UTC)
    async with JobDatabase.get().begin() as connection:
        deleted = {
            "operations": await deleted_rows(
                connection,
                delete(operations).where(
                    operations.c.status.in_(FINISHED), operations.c.updated_at < now - KEEP_FINISHED_OPERATIONS
                ),
            ),
        }
    # Succeeded jobs; failed ones stay until a person retries or deletes them.
    await queue.job_manager.delete_old_jobs(nb_hours=int(KEEP_FINISHED_OPERATIONS.total_seconds() // 3600))
    logger.info("pruned", extra={"deleted": deleted})


async def deleted_rows(connection: AsyncConnection, statement: Delete) -> int:
    """Runs `statement`, a DELETE, and says how many rows it deleted."""
    count: int = (await connection.execute(statement)).rowcount
    return count


async def recover_stalled_jobs(stalled_after: float) -> int:
    """Retries the running jobs of workers without a heartbeat for `stalled_after` seconds (killed, lost): a job is
    never left `doing` forever. Returns how many were retried."""
    stalled = list(await queue.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after))
    for job in stalled:
        await queue.job_manager.retry_job(job)
        logger.warning("stalled job retried", extra={"stalled_job_id": job.id, "stalled_task": job.task_name})
    return len(stalled)


@queue.periodic(cron="* * * * *")
@queue.task(name="jobs.retry_stalled", queueing_lock="jobs.retry_stalled")
async def retry_stalled_jobs(timestamp: int) -> int:
    """Every minute: `recover_stalled_jobs` with JOBS_STALLED_AFTER."""
    return await recover_stalled_jobs(load_settings().jobs_stalled_after)
