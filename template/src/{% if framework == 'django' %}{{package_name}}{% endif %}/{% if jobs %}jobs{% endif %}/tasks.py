"""The queue's own tasks: retrying stalled jobs and pruning finished operations and old jobs.

A package's tasks live in its own `tasks.py` (items/tasks.py, users/tasks.py, a new app's): procrastinate's Django
app imports the `tasks` module of every installed app at start (the app registry finds them; no list names them).
Each is a function with one decorator, `@app.task`, deferred from a view with `defer(task, **arguments)` (queue.py)
inside the view's `transaction.atomic()`: the job is committed with the view's writes, or not at all, and every log
line it writes carries the id of the request that deferred it (core/jobs/logs.py). Arguments are JSON values. A job
may run more than once (a retry after a worker died): make running it twice harmless, as the export does. A task's
name is what the queue's rows keep: renaming one strands the jobs already queued under the old name.

Periodic tasks are declared beside them, once: `@app.periodic(cron=...)` above `@app.task`; a worker defers each when
it is due (one job per due time, whatever the number of workers). A package whose tables need pruning prunes its own
hourly, as `prune` does here (revocations/tasks.py, users/tasks.py).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Final

from django.conf import settings as django_settings
from django.utils import timezone
from procrastinate import App, JobContext
from procrastinate.contrib.django import app

from .models import FINISHED, Operation

logger = logging.getLogger(__name__)

KEEP_FINISHED_OPERATIONS: Final = timedelta(days=30)


async def retry_stalled(queue: App, stalled_after: float) -> int:
    """Retries the running jobs of workers without a heartbeat for `stalled_after` seconds (killed, or cut off):
    without this they would stay `doing` forever. How many it retried."""
    stalled = list(await queue.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after))
    for job in stalled:
        logger.warning("Retrying a stalled job", extra={"job_id": job.id, "task": job.task_name})
        await queue.job_manager.retry_job(job)
    return len(stalled)


@app.periodic(cron="* * * * *", periodic_id="retry_stalled_jobs")
@app.task(name="jobs.retry_stalled", queueing_lock="jobs.retry_stalled", pass_context=True)
async def retry_stalled_jobs(context: JobContext, timestamp: int) -> None:
    await retry_stalled(context.app, django_settings.SERVICE_SETTINGS.jobs_stalled_after)


@app.periodic(cron="17 * * * *", periodic_id="prune")
@app.task(name="jobs.prune", queueing_lock="jobs.prune", pass_context=True)
async def prune(context: JobContext, timestamp: int) -> None:
    """Hourly: the operations finished long ago, and the succeeded jobs."""
    now = timezone.now()
    await Operation.objects.filter(status__in=FINISHED, updated_at__lt=now - KEEP_FINISHED_OPERATIONS).adelete()
    # Succeeded jobs; failed ones stay until a person retries or deletes them.
    await context.app.job_manager.delete_old_jobs(nb_hours=int(KEEP_FINISHED_OPERATIONS.total_seconds() // 3600))
