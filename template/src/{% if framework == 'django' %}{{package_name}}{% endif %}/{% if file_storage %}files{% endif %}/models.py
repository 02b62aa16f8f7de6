"""The stored file: its name, type, size and where its bytes are (`storage_key`, in the file store). The columns every
resource shares (id, owner, version, timestamps) come from `api.resources.ResourceModel`."""

from __future__ import annotations

from django.db import models

from ..api.resources import ResourceModel
from ..core.storage import lifecycle


class FileStatus(models.TextChoices):
    """A file's state (core/storage/lifecycle.py): a direct upload's file is pending (unseen) until `complete` has
    checked its object; then, as a streamed upload's at once, quarantined (listed, not downloadable) until the scan
    passes it (ready) or refuses it (rejected, its object removed)."""

    PENDING = lifecycle.PENDING
    QUARANTINED = lifecycle.QUARANTINED
    READY = lifecycle.READY
    REJECTED = lifecycle.REJECTED


class File(ResourceModel):
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size_bytes = models.BigIntegerField()
    storage_key = models.CharField(max_length=255, editable=False)  # made by the service, under the owner's prefix
    status = models.CharField(max_length=16, choices=FileStatus.choices, default=FileStatus.PENDING)

    class Meta(ResourceModel.Meta):
        pass

    def __str__(self) -> str:
        return self.name
