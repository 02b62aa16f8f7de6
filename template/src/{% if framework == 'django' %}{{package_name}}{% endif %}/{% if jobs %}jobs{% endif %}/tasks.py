"""The queue's own tasks (core/jobs/upkeep.py: stalled jobs, pruning).

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

from django.conf import settings as django_settings
from django.utils import timezone
from procrastinate import JobContext
from procrastinate.contrib.django import app

from ..core.jobs.upkeep import (
    KEEP_FINISHED_OPERATIONS,
    PRUNE_CRON,
    RETRY_STALLED_CRON,
    delete_succeeded_jobs,
    recover_stalled_jobs,
)
from .models import FINISHED, Operation

logger = logging.getLogger(__name__)


@app.periodic(cron=RETRY_STALLED_CRON, periodic_id="retry_stalled_jobs")
@app.task(name="jobs.retry_stalled", queueing_lock="jobs.retry_stalled", pass_context=True)
async def retry_stalled_jobs(context: JobContext, timestamp: int) -> int:
    """Every minute: the running jobs of workers without a heartbeat for JOBS_STALLED_AFTER seconds, retried."""
    return await recover_stalled_jobs(context.app, django_settings.SERVICE_SETTINGS.jobs_stalled_after)


@app.periodic(cron=PRUNE_CRON, periodic_id="prune")
@app.task(name="jobs.prune", queueing_lock="jobs.prune", pass_context=True)
async def prune(context: JobContext, timestamp: int) -> None:
    """Hourly: the operations finished long ago, and the succeeded jobs."""
    finished_before = timezone.now() - KEEP_FINISHED_OPERATIONS
    deleted, _ = await Operation.objects.filter(status__in=FINISHED, updated_at__lt=finished_before).adelete()
    await delete_succeeded_jobs(context.app)
    logger.info("pruned", extra={"deleted": {"operations": deleted}})
