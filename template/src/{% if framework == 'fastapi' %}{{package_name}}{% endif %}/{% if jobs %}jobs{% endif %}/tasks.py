"""The service's tasks: one function and one decorator each (`@queue.task`), periodic ones with `@queue.periodic`.

    @queue.task(name="bookings.confirm", retry=RetryStrategy(max_attempts=3, exponential_wait=2))
    async def confirm_booking(booking_id: str) -> None: ...

    await defer(session, confirm_booking, booking_id=str(booking.id))   # in a route: see items' exports

Arguments are JSON (strings, numbers, lists, objects). A job may run more than once (a retry after a crash): make it
harmless, as `export_item` does by checking its operation under a row lock.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from uuid import UUID

from procrastinate import JobContext, RetryStrategy
from sqlalchemy import delete, select

from ..config import load_settings
from ..items.models import Item
from ..items.table import items
from .operations import FINISHED, OperationStatus, lock_operation, operations, set_operation
from .queue import JobDatabase, queue

logger = logging.getLogger(__name__)

EXPORT_KIND: Final = "items.export"
EXPORT_RETRIES: Final = 2
"""Runs after the first: three attempts in all, 2 then 4 seconds apart; then the operation is `failed`."""
FINISHED_OPERATIONS_KEPT: Final = timedelta(days=30)


class OperationNotFoundError(Exception):
    """The job's operation is not (yet) there: retried, as a job deferred before its request committed would be in
    the in-memory queue of development."""


def _problem(status: int, title: str, detail: str) -> dict[str, Any]:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail}


@queue.task(
    name=EXPORT_KIND,
    retry=RetryStrategy(max_attempts=EXPORT_RETRIES, exponential_wait=2),
    pass_context=True,
)
async def export_item(context: JobContext, operation_id: str, item_id: str) -> None:
    """Builds the item's export (a JSON document of the item) in steps, recording the operation's progress."""
    operation = UUID(operation_id)
    try:
        await _export(operation, UUID(item_id))
    except Exception as exc:
        strategy = context.task.retry_strategy if context.task is not None else None
        final = strategy is None or strategy.get_retry_decision(exception=exc, job=context.job) is None
        if final:
            logger.exception("export failed for good", extra={"operation_id": operation_id})
            async with JobDatabase.transaction() as (connection, events):
                await set_operation(
                    connection,
                    events,
                    operation,
                    status=OperationStatus.FAILED.value,
                    error=_problem(500, "Export failed", "The export could not be built; it was tried 3 times"),
                )
        raise


async def _export(operation_id: UUID, item_id: UUID) -> None:
    async with JobDatabase.transaction() as (connection, events):
        status = await lock_operation(connection, operation_id)
        if status is None:
            raise OperationNotFoundError(str(operation_id))
        if status in FINISHED:  # a second run of a finished export: nothing left to do
            logger.info("export already finished", extra={"operation_id": str(operation_id), "status": status})
            return
        await set_operation(connection, events, operation_id, status=OperationStatus.RUNNING.value, progress=0)
    async with JobDatabase.transaction() as (connection, events):
        # FOR SHARE: the item cannot change while it is exported (a write waits for the export's read).
        row = (await connection.execute(select(items).where(items.c.id == item_id).with_for_update(read=True))).first()
        if row is None:
            await set_operation(
                connection,
                events,
                operation_id,
                status=OperationStatus.FAILED.value,
                error=_problem(404, "Not Found", f"Item {item_id} does not exist"),
            )
            return
        values = dict(row._mapping)
        values.pop("row_version")
        item = Item.model_validate(values)
        await set_operation(connection, events, operation_id, progress=50)
    document = {
        "format": "items.export/v1",
        "exported_at": datetime.now(UTC).isoformat(),
        "item": item.model_dump(mode="json"),
    }
    async with JobDatabase.transaction() as (connection, events):
        if await lock_operation(connection, operation_id) in FINISHED:
            return
        await set_operation(
            connection, events, operation_id, status=OperationStatus.SUCCEEDED.value, progress=100, result=document
        )
    logger.info("export built", extra={"operation_id": str(operation_id)})


@queue.periodic(cron="17 3 * * *")
@queue.task(name="operations.prune", queueing_lock="operations.prune")
async def prune_finished_operations(timestamp: int) -> int:
    """Deletes the operations that finished more than 30 days ago, once a day."""
    cutoff = datetime.now(UTC) - FINISHED_OPERATIONS_KEPT
    async with JobDatabase.get().begin() as connection:
        result = await connection.execute(
            delete(operations).where(operations.c.status.in_(FINISHED), operations.c.updated_at < cutoff)
        )
    deleted: int = result.rowcount
    logger.info("finished operations pruned", extra={"deleted": deleted})
    return deleted


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
