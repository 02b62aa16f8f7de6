"""The `files` table: each file's name, type, size and where its bytes are (`storage_key`, in the file store)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, String, Table, Uuid

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
