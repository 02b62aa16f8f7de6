"""The example operation: an item's export, a JSON document of the item that a worker builds in a few steps.

Idempotent: every change of the operation is one UPDATE of a row that has not succeeded, so a job run twice (a
retry after a worker died, two workers racing) leaves one result, the first, and a succeeded operation never
changes again. A failed one runs again when a person retries its job (`python -m <package> jobs retry <job_id>`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any, Final

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.utils import timezone
from procrastinate.exceptions import JobAborted

from ..api.paths import API_V1
from ..core.problems import reason
from ..core.request_context import current_request_id
from ..items.models import Item
from ..items.serializers import ItemSerializer
from .models import Operation, OperationStatus

EXPORT_KIND: Final = "items.export"


class ItemGone(LookupError):  # noqa: N818 - what the failure is, as `failure` reports it
    """The item was deleted after its export was asked for."""


def operation_path(operation_id: uuid.UUID | str) -> str:
    return f"/{API_V1}/operations/{operation_id}"


def update_unfinished(operation_id: uuid.UUID, **changes: Any) -> bool:
    """Applies `changes` unless the operation has succeeded; whether it had not."""
    unfinished = Operation.objects.filter(pk=operation_id).exclude(status=OperationStatus.SUCCEEDED)
    return bool(unfinished.update(**changes, row_version=F("row_version") + 1, updated_at=timezone.now()))


def run_export(
    operation_id: uuid.UUID, item_id: uuid.UUID, *, final_attempt: bool, should_stop: Callable[[], bool]
) -> None:
    """Builds the export, reporting progress; on the final attempt a failure marks the operation failed.

    Between steps it stops when `should_stop()` says so (a stopping worker's time is up): the job is then retried,
    by another worker, from the start. A task running in a thread can only stop itself."""
    if not update_unfinished(operation_id, status=OperationStatus.RUNNING, progress=0):
        return  # succeeded in an earlier run of this job
    try:
        item = Item.objects.filter(pk=item_id).first()
        if item is None:
            raise ItemGone(f"Item {item_id} no longer exists")
        stop_if_asked(should_stop)
        update_unfinished(operation_id, progress=33)
        fields = json.loads(json.dumps(ItemSerializer(item).data, cls=DjangoJSONEncoder))
        stop_if_asked(should_stop)
        update_unfinished(operation_id, progress=66)
        document = {"format": "application/json", "exported_at": timezone.now().isoformat(), "item": fields}
    except JobAborted:
        raise
    except Exception as exc:
        if final_attempt:
            update_unfinished(operation_id, status=OperationStatus.FAILED, error=failure(operation_id, exc))
        raise
    update_unfinished(operation_id, status=OperationStatus.SUCCEEDED, progress=100, result=document, error=None)


def stop_if_asked(should_stop: Callable[[], bool]) -> None:
    if should_stop():
        raise JobAborted("the worker is stopping: retried by another")


def failure(operation_id: uuid.UUID, exc: Exception) -> dict[str, Any]:
    """The operation's `error`: a problem+json object saying what a client may know (never the exception's text,
    which the worker's log and Sentry keep)."""
    status, detail = (404, str(exc)) if isinstance(exc, ItemGone) else (500, "The export failed")
    return {
        "type": "about:blank",
        "title": reason(status),
        "status": status,
        "detail": detail,
        "instance": operation_path(operation_id),
        "request_id": current_request_id(),
    }
