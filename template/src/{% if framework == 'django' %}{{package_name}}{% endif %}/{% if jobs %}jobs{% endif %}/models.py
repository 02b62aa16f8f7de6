"""An operation: work a request started and a worker carries out (a job on the queue), polled by its client at
`/api/v1/operations/{operation_id}`. The columns every resource shares (id, owner, version, timestamps) come from
`api.resources.ResourceModel`."""

from __future__ import annotations

from django.db import models

from ..api.resources import ResourceModel


class OperationStatus(models.TextChoices):
    PENDING = "pending"  # its job waits in the queue
    RUNNING = "running"
    SUCCEEDED = "succeeded"  # `result` holds what it made
    FAILED = "failed"  # `error` holds a problem+json object; its job stays failed in the queue, to be retried


FINISHED = (OperationStatus.SUCCEEDED, OperationStatus.FAILED)


class Operation(ResourceModel):
    kind = models.CharField(max_length=64)  # what it does: `items.export`
    status = models.CharField(max_length=16, choices=OperationStatus.choices, default=OperationStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)  # 0-100
    result = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)

    class Meta(ResourceModel.Meta):
        # The periodic pruning finds the finished operations by age.
        indexes = (models.Index(fields=("status", "updated_at"), name="jobs_operation_finished"),)

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.status})"
