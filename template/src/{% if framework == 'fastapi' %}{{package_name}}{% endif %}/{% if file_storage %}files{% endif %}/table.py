"""The `files` table: each file's name, type, size and where its bytes are (`storage_key`, in the file store)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, String, Table, Uuid

from ..api.ownership import owner_columns
from ..database import UTCDateTime, metadata

files = Table(
    "files",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("storage_key", String(255), nullable=False),  # made by the service, under the owner's prefix
    Column("status", String(20), nullable=False),  # pending (a direct upload not completed yet), then ready
    *owner_columns(),
    Column("row_version", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False, index=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Which records each file is attached to (files/attachments.py): one table for every attachable resource, so a
# resource declaring `attachments = True` needs no migration. A file's deletion detaches it here (the foreign key);
# a record's deletion detaches its files through the shared repository (api/crud.py).
attachments = Table(
    "attachments",
    metadata,
    Column("resource", String(63), primary_key=True),  # the record's table: `items`
    Column("record_id", Uuid, primary_key=True),
    Column("file_id", Uuid, ForeignKey("files.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("created_at", UTCDateTime, nullable=False),
)
