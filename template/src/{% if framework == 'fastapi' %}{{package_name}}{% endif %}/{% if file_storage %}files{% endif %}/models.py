"""Request and response models of files."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, StringConstraints

from ..api.crud import Page, Record
from ..api.fields import JsonEnum
from ..core.storage import lifecycle


class FileStatus(StrEnum):
    """A file's state (core/storage/lifecycle.py): a direct upload's file is pending (unseen) until `complete` has
    checked its object; then, as a streamed upload's at once, quarantined (listed, not downloadable) until the scan
    passes it (ready) or refuses it (rejected, its object removed)."""

    PENDING = lifecycle.PENDING
    QUARANTINED = lifecycle.QUARANTINED
    READY = lifecycle.READY
    REJECTED = lifecycle.REJECTED


def _plain_name(value: str) -> str:
    # A name is shown and sent back in Content-Disposition: no path, no control characters.
    if any(char in value for char in "/\\") or any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise ValueError("A file name has no slashes and no control characters")
    return value


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


FileName = Annotated[
    str, StringConstraints(min_length=1, max_length=255), BeforeValidator(_stripped), AfterValidator(_plain_name)
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
