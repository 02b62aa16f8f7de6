"""The queue's upkeep, the work of the jobs package's own periodic tasks (`jobs/tasks.py`, in each framework's ORM for
its operations): retrying the jobs of dead workers every minute, and deleting, hourly, what no one can use any more."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Final

from procrastinate import App

logger = logging.getLogger(__name__)

RETRY_STALLED_CRON: Final = "* * * * *"
PRUNE_CRON: Final = "17 * * * *"
KEEP_FINISHED_OPERATIONS: Final = timedelta(days=30)
"""Finished operations, and succeeded jobs, are kept this long: the hourly prune deletes them afterwards."""


async def recover_stalled_jobs(queue: App, stalled_after: float) -> int:
    """Retries the running jobs of workers without a heartbeat for `stalled_after` seconds (killed, or cut off from the
    database): a job is never left `doing` forever. Returns how many it retried."""
    stalled = list(await queue.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after))
    for job in stalled:
        await queue.job_manager.retry_job(job)
        # Not `job_id`/`task`: those name the job whose log line this is (logs.py), the periodic recovery's own.
        logger.warning("stalled job retried", extra={"stalled_job_id": job.id, "stalled_task": job.task_name})
    return len(stalled)


async def delete_succeeded_jobs(queue: App) -> None:
    """The succeeded jobs older than `KEEP_FINISHED_OPERATIONS`; failed ones stay until a person retries or deletes
    them (`python -m <package> jobs`)."""
    await queue.job_manager.delete_old_jobs(nb_hours=int(KEEP_FINISHED_OPERATIONS.total_seconds() // 3600))
