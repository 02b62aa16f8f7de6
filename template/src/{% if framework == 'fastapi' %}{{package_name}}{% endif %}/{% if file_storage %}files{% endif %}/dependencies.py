"""The files' repository and the service's file store, as typed route parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from ..api.repositories import repository_dependency
from ..context import app_context
from ..core.settings_files import FilesSettings
from ..core.storage import FileStore, open_store
from ..core.storage.lifecycle import Scanner, open_scanner, pass_every_file
from ..core.storage.observers import file_observer
from .repository import FileRepository

get_file_repository = repository_dependency(FileRepository)


@dataclass(frozen=True)
class FileStorage:
    """The service's file store and file scanner, as the files integration opened them (integrations/files.py)."""

    store: FileStore
    scanner: Scanner = pass_every_file

    @classmethod
    def open(cls, settings: FilesSettings) -> FileStorage:
        file_observer()  # found now: its series exist from the start, at 0
        return cls(open_store(settings), open_scanner(settings))


async def get_file_storage(request: Request) -> FileStorage:
    return app_context(request.app).component(FileStorage)


async def get_file_store(request: Request) -> FileStore:
    return app_context(request.app).component(FileStorage).store


FileRepositoryDep = Annotated[FileRepository, Depends(get_file_repository)]
FileStoreDep = Annotated[FileStore, Depends(get_file_store)]
FileStorageDep = Annotated[FileStorage, Depends(get_file_storage)]
