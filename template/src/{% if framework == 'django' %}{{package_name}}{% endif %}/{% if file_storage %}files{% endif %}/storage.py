"""The service's file store (core/storage/), as this process opened it from the settings (`FilesConfig.install`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ..api.paths import API_V1
from ..config import Settings
from ..core.storage import FileStore, open_store
from ..integrations import wiring

FILES_PATH: Final = f"/{API_V1}/files"
"""The upload's path: its body may be as large as FILES_MAX_SIZE."""


@dataclass(frozen=True)
class FileStorage:
    store: FileStore

    @classmethod
    def open(cls, settings: Settings) -> FileStorage:
        return cls(open_store(settings))


def file_store() -> FileStore:
    """The store of the service's wiring (tests that change the settings clear it: `wiring.cache_clear()`)."""
    return wiring().component(FileStorage).store
