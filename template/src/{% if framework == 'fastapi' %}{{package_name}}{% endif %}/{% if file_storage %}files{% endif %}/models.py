"""Request and response models of files."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, StringConstraints

from ..api.crud import Page, Record
from ..api.fields import JsonEnum
from ..core.storage import FILE_NAME_PATTERN, lifecycle, plain_name


class FileStatus(StrEnum):
    """A file's state (core/storage/lifecycle.py): a direct upload's file is pending (unseen) until `complete` has
    checked its object; then, as a streamed upload's at once, quarantined (listed, not downloadable) until the scan
    passes it (ready) or refuses it (rejected, its object removed)."""

    PENDING = lifecycle.PENDING
    QUARANTINED = lifecycle.QUARANTINED
    READY = lifecycle.READY
    REJECTED = lifecycle.REJECTED


def _plain_name(value: object) -> object:
    return plain_name(value) if isinstance(value, str) else value


# The pattern documents what `plain_name` takes (clients and their checks see it); the validator's message says why.
FileName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=255),
    BeforeValidator(_plain_name),
    Field(json_schema_extra={"pattern": FILE_NAME_PATTERN}),
]
MediaType = Annotated[str, StringConstraints(min_length=3, max_length=100, pattern=r"^[!-~]+/[!-~]+$")]


class DirectUploadIn(BaseModel):
    """What a client announces before uploading a file straight to storage."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: FileName = Field(description="The file's name, shown and used for downloads")
    content_type: MediaType = Field(description="The file's media type: one the service accepts")
    size_bytes: int = Field(ge=1, description="The file's exact size: the upload must have it")


class File(Record):
    """A file's record; its bytes are downloaded from `/api/v1/files/{file_id}/content`."""

    model_config = ConfigDict(extra="forbid", strict=False, json_schema_serialization_defaults_required=True)

    id: UUID
    name: str
    content_type: str
    size_bytes: int
    status: JsonEnum[FileStatus]
    created_at: datetime
    updated_at: datetime
    _storage_key: str = PrivateAttr(default="")
    _owner: str | None = PrivateAttr(default=None)

    @property
    def storage_key(self) -> str:
        """Where the file's bytes are in the file store (never shown to clients)."""
        return self._storage_key

    @property
    def owner(self) -> str | None:
        """Whose file it is (None: a service without owners). Not shown: a file's owner is its caller."""
        return self._owner


class FilePage(Page[File]):
    """A page of files."""


class UploadForm(BaseModel):
    """The form a browser posts the file with: every field of `fields`, then the file as the last field `file`."""

    url: str
    fields: dict[str, str]


class DirectUpload(BaseModel):
    """A pending file and the form to upload its bytes with; `POST .../complete` once the upload has succeeded."""

    file: File
    upload: UploadForm
    expires_in: int = Field(description="Seconds the form stays valid")
