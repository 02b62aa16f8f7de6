"""The files' repository and the service's file store, as typed route parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from ..api.repositories import repository_dependency
from ..context import app_context
from ..core.storage import FileStore
from .repository import FileRepository

get_file_repository = repository_dependency(FileRepository)


@dataclass(frozen=True)
class FileStorage:
    """The service's file store, as the files integration opened it (integrations/files.py)."""

    store: FileStore


async def get_file_store(request: Request) -> FileStore:
    return app_context(request.app).component(FileStorage).store


FileRepositoryDep = Annotated[FileRepository, Depends(get_file_repository)]
FileStoreDep = Annotated[FileStore, Depends(get_file_store)]
