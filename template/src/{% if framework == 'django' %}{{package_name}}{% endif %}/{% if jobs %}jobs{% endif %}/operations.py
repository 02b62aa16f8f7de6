"""What a job does to its operation (models.py's `Operation`), whatever the operation: move it along
(`update_unfinished`), tell its owner's event stream (`record_operation_event`), and stop between steps when the worker
is stopping (`stop_if_asked`). A package's operation (items/exports.py's export) is built on these.

Idempotent: every change of the operation is one UPDATE of a row that has not succeeded, so a job run twice (a
retry after a worker died, two workers racing) leaves one result, the first, and a succeeded operation never
changes again. Each change reaches the owner's event stream as `operations.updated` (its id and new version) once it
has committed, as a request's would (api/events.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Final

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from procrastinate.exceptions import JobAborted

from ..api.events import publisher
from ..api.paths import API_V1
from ..core.events import Change, record_event
from .models import Operation, OperationStatus

OWNER_FIELD: Final = tuple(field.attname for field in Operation._meta.concrete_fields if field.attname == "owner_id")
"""The column of an operation's owner, when the service's rows have owners (api/resources.py's `ResourceModel`)."""


def operation_path(operation_id: uuid.UUID | str) -> str:
    return f"/{API_V1}/operations/{operation_id}"


def update_unfinished(operation_id: uuid.UUID, **changes: Any) -> bool:
    """Applies `changes` unless the operation has succeeded, and publishes the change to its owner; whether it had
    not succeeded."""
    with transaction.atomic():
        unfinished = Operation.objects.filter(pk=operation_id).exclude(status=OperationStatus.SUCCEEDED)
        if not unfinished.update(**changes, row_version=F("row_version") + 1, updated_at=timezone.now()):
            return False
        # The row this transaction just wrote (and holds locked): the version the change made, and its owner.
        written = Operation.objects.values_list("row_version", *OWNER_FIELD).get(pk=operation_id)
        version, owner = written[0], (written[1] if OWNER_FIELD else None)
        record_operation_event("updated", operation_id, version, owner)
    return True


def record_operation_event(change: Change, operation_id: uuid.UUID, version: int, owner: str | None) -> None:
    """Call inside the change's transaction: its event reaches the operation's owner once it has committed."""
    resource = str(Operation._meta.verbose_name_plural)
    publisher().record_in_transaction(record_event(resource, change, operation_id, version, owner))


def stop_if_asked(should_stop: Callable[[], bool]) -> None:
    if should_stop():
        raise JobAborted("the worker is stopping: retried by another")
