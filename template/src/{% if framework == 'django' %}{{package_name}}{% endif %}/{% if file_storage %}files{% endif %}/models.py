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


class Attachment(models.Model):
    """A file attached to a record of a resource that declares `attachments = True` (files/attachments.py): one table
    for every such resource, so declaring one needs no migration. The file's deletion detaches it (the foreign key);
    the record's deletion detaches its files (a `post_delete` receiver, files/attachments.py)."""

    resource = models.CharField(max_length=63)  # the record's resource: `items`
    record_id = models.UUIDField()
    file = models.ForeignKey(File, on_delete=models.CASCADE, related_name="attachments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("resource", "record_id", "file"), name="files_attachment_unique"),
        )

    def __str__(self) -> str:
        return f"{self.resource}/{self.record_id}: {self.file_id}"
