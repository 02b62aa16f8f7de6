"""The service's file store (core/storage/), as this process opened it from the settings (`FilesConfig.install`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ..api.paths import API_V1
from ..config import Settings
from ..core.storage import FileStore, open_store
from ..core.storage.lifecycle import Scanner, open_scanner, pass_every_file
from ..integrations import wiring

FILES_PATH: Final = f"/{API_V1}/files"
"""The upload's path: its body may be as large as FILES_MAX_SIZE."""


@dataclass(frozen=True)
class FileStorage:
    store: FileStore
    scanner: Scanner = pass_every_file

    @classmethod
    def open(cls, settings: Settings) -> FileStorage:
        """The store (no connection yet) and the scanner (FILES_SCANNER: one that names nothing stops the start)."""
        return cls(open_store(settings), open_scanner(settings))


def file_storage() -> FileStorage:
    """The store and scanner of the service's wiring (tests changing the settings clear it: `wiring.cache_clear()`)."""
    return wiring().component(FileStorage)


def file_store() -> FileStore:
    """The store of the service's wiring."""
    return file_storage().store
