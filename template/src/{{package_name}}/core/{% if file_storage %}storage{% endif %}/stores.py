"""Where files' bytes live: the `FileStore` interface, and the local directory store of development, demos and
SQLite deployments. S3-compatible storage is s3.py; `open_store` picks one from the settings."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Protocol

from ..settings_files import FilesSettings

READ_CHUNK: Final = 64 * 1024
"""Bytes per chunk of a streamed download: small enough that many downloads at once stay flat in memory."""


class ObjectTooLarge(Exception):  # noqa: N818 - a refusal, answered as a 413
    """A streamed write went past its limit; the store has removed everything it had written for it."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"The file exceeds the limit of {limit} bytes")
        self.limit = limit


class PresignNotSupported(Exception):  # noqa: N818 - a refusal, answered as a 409
    """The store cannot take uploads straight from a browser (the local directory store)."""


@dataclass(frozen=True)
class StoredObject:
    """What a store says of an object it holds (`content_type` None: the store keeps none, as a directory)."""

    size: int
    content_type: str | None


@dataclass(frozen=True)
class PresignedPost:
    """A browser upload's form: POST `fields` plus the file (last) as multipart/form-data to `url`."""

    url: str
    fields: dict[str, str] = field(default_factory=dict)


class FileStore(Protocol):
    """Objects by key. Keys are made by the service (uploads.py), never taken from a client."""

    async def write(self, key: str, chunks: AsyncIterator[bytes], *, content_type: str, limit: int) -> int:
        """Store `chunks` under `key`, returning the size; past `limit` bytes, remove what was written and raise
        ObjectTooLarge. Holds at most one part of the file in memory."""
        ...

    def read(self, key: str) -> AsyncIterator[bytes]:
        """The object's bytes, chunk by chunk."""
        ...

    async def head(self, key: str, size: int) -> bytes:
        """The object's first `size` bytes (fewer when it is shorter)."""
        ...

    async def stat(self, key: str) -> StoredObject | None:
        """The object's size and type, None when there is no such object."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; nothing to do when it is already gone."""
        ...

    def presigned_post(self, key: str, *, content_type: str, size: int, expires_in: int) -> PresignedPost:
        """A form a browser posts the file with straight to the store: only to `key`, only `size` bytes of
        `content_type`, only for `expires_in` seconds. PresignNotSupported where the store has no such thing."""
        ...


class LocalStore:
    """Objects as files under one directory: for development, demos and single-machine (SQLite) deployments. A write
    goes to a temporary file that becomes the object only when whole, so a refused or broken upload leaves nothing."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if not key or any(part in {"", ".", ".."} for part in parts):  # keys are the service's: refuse, never repair
            raise ValueError(f"not an object key: {key!r}")
        return self.root.joinpath(*parts)

    async def write(self, key: str, chunks: AsyncIterator[bytes], *, content_type: str, limit: int) -> int:
        path = self._path(key)
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
        size = 0
        handle = await asyncio.to_thread(partial.open, "wb")
        try:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise ObjectTooLarge(limit)
                await asyncio.to_thread(handle.write, chunk)
            await asyncio.to_thread(handle.close)
            await asyncio.to_thread(os.replace, partial, path)
        except BaseException:
            handle.close()
            partial.unlink(missing_ok=True)
            raise
        return size

    async def read(self, key: str) -> AsyncIterator[bytes]:
        handle = await asyncio.to_thread(self._path(key).open, "rb")
        try:
            while chunk := await asyncio.to_thread(handle.read, READ_CHUNK):
                yield chunk
        finally:
            handle.close()

    async def head(self, key: str, size: int) -> bytes:
        def first() -> bytes:
            with self._path(key).open("rb") as handle:
                return handle.read(size)

        return await asyncio.to_thread(first)

    async def stat(self, key: str) -> StoredObject | None:
        try:
            found = await asyncio.to_thread(self._path(key).stat)
        except FileNotFoundError:
            return None
        return StoredObject(size=found.st_size, content_type=None)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    def presigned_post(self, key: str, *, content_type: str, size: int, expires_in: int) -> PresignedPost:
        raise PresignNotSupported("Direct uploads need S3-compatible storage (FILES_STORE=s3); stream the file instead")


def open_store(settings: FilesSettings) -> FileStore:
    """The store the settings name."""
    if settings.files_store == "s3":
        from .s3 import S3Store  # noqa: PLC0415 - boto3 costs its import only where the service uses S3

        return S3Store.from_settings(settings)
    return LocalStore(settings.files_directory)
