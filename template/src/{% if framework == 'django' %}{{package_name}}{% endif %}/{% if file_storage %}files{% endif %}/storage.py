"""The service's file store (core/storage/), as this process opened it from the settings (`FilesConfig.install`),
and the write a scan ends with (`record_scan`), wherever the scan runs (a job, or the request without jobs)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Final

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..api.events import publisher
from ..api.ownership import owner_id_of
from ..api.paths import API_V1
from ..config import Settings
from ..core.events import record_event
from ..core.storage import FileStore, open_store
from ..core.storage.lifecycle import Scanner, open_scanner, pass_every_file
from ..core.storage.observers import file_observer
from ..integrations import wiring
from .models import File, FileStatus

FILES_PATH: Final = f"/{API_V1}/files"
"""The upload's path: its body may be as large as FILES_MAX_SIZE."""


@dataclass(frozen=True)
class FileStorage:
    store: FileStore
    scanner: Scanner = pass_every_file

    @classmethod
    def open(cls, settings: Settings) -> FileStorage:
        """The store (no connection yet) and the scanner (FILES_SCANNER: one that names nothing stops the start)."""
        file_observer()  # found now: its series exist from the start, at 0
        return cls(open_store(settings), open_scanner(settings))


def file_storage() -> FileStorage:
    """The store and scanner of the service's wiring (tests changing the settings clear it: `wiring.cache_clear()`)."""
    return wiring().component(FileStorage)


def file_store() -> FileStore:
    """The store of the service's wiring."""
    return file_storage().store


def record_scan(file_id: uuid.UUID, state: str) -> File | None:
    """The quarantined file `file_id` moved to its scanned `state` (ready or rejected), once, its owner told
    (`files.updated`: downloadable now, or rejected) when the change commits; the file as it is now (None: deleted)."""
    with transaction.atomic():
        moved = File.objects.filter(pk=file_id, status=FileStatus.QUARANTINED).update(
            status=state, row_version=F("row_version") + 1, updated_at=timezone.now()
        )
        found = File.objects.filter(pk=file_id).first()
        if moved and found is not None:
            resource = str(File._meta.verbose_name_plural)
            event = record_event(resource, "updated", found.pk, found.row_version, owner_id_of(found))
            publisher().record_in_transaction(event)
    return found
