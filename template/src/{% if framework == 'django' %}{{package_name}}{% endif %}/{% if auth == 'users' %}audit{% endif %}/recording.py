"""Recording audit events in the caller's transaction.

`record` inserts the events with the change they describe: call it inside that change's `transaction.atomic()`, so
that a change rolled back leaves no event. Their log lines are written once the transaction commits
(`transaction.on_commit`), so a rolled-back change logs nothing either.

Once the app is ready (apps.py), `record_change` is the trail of every audited resource's changes (api/resources.py)."""

from __future__ import annotations

from django.db import transaction

from ..core.accounts import audit
from ..core.record_changes import RecordChange
from .models import AuditEvent


def record(*events: audit.AuditEvent) -> None:
    if not events:
        return
    AuditEvent.objects.bulk_create(
        AuditEvent(
            kind=event.kind.value,
            actor_id=event.actor_id,
            subject_id=event.subject_id,
            subject_type=event.subject_type,
            details=dict(event.details),
            client_address=event.origin.client_address,
            request_id=event.origin.request_id,
            occurred_at=event.occurred_at,
        )
        for event in events
    )
    for event in events:
        transaction.on_commit(lambda event=event: audit.log_audit_event(event))  # type: ignore[misc]


def record_change(change: RecordChange) -> None:
    """Store the change of an audited resource's row, in the write's transaction (api/resources.py calls it)."""
    record(audit.record_change_event(change))
