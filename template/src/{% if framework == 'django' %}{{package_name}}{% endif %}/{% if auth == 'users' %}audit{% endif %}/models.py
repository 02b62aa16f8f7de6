"""`AuditEvent`: one row of `audit_events` per account event or change of an audited resource's row, never changed
or deleted (migration 0001 makes the database refuse it). The account ids are plain values, not foreign keys:
deleting an account keeps its history."""

from __future__ import annotations

from django.db import models

from ..core.accounts.audit import (
    ACCOUNT,
    MAX_ADDRESS_LENGTH,
    MAX_KIND_LENGTH,
    MAX_REQUEST_ID_LENGTH,
    MAX_SUBJECT_TYPE_LENGTH,
    TABLE,
)


class AuditEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=MAX_KIND_LENGTH)
    actor_id = models.UUIDField(null=True)
    subject_id = models.UUIDField(null=True)
    subject_type = models.CharField(max_length=MAX_SUBJECT_TYPE_LENGTH, default=ACCOUNT)
    details = models.JSONField(default=dict)
    client_address = models.CharField(max_length=MAX_ADDRESS_LENGTH, null=True)
    request_id = models.CharField(max_length=MAX_REQUEST_ID_LENGTH, null=True)
    occurred_at = models.DateTimeField()

    class Meta:
        db_table = TABLE
        ordering = ("-occurred_at", "-id")
        indexes = (
            # The list's filters, newest first.
            models.Index(fields=["occurred_at"], name="ix_audit_events_occurred_at"),
            models.Index(fields=["subject_id", "occurred_at"], name="ix_audit_events_subject_id"),
            models.Index(fields=["actor_id", "occurred_at"], name="ix_audit_events_actor_id"),
            models.Index(fields=["subject_type", "occurred_at"], name="ix_audit_events_subject_type"),
        )

    def __str__(self) -> str:
        return f"{self.kind} of {self.subject_id} at {self.occurred_at:%Y-%m-%d %H:%M:%S}"
