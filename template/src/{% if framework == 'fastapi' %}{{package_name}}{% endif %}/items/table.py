"""The `items` table. It belongs to the service's one `metadata` (database.py), which Alembic compares with the
migrations (`alembic check`)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Integer, String, Table, Uuid
from sqlalchemy.dialects.postgresql import JSONB

from ..api.ownership import owner_columns, unique_per_owner
from ..database import UTCDateTime, metadata

items = Table(
    "items",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("description", String(1000), nullable=True),
    Column("price_cents", BigInteger, nullable=False),
    Column("tags", JSON().with_variant(JSONB(), "postgresql"), nullable=False),
    Column("sku", String(64), nullable=True),  # optional; two items of one owner never share one (below)
    Column("status", String(20), nullable=False),
    Column("available_at", UTCDateTime, nullable=True),
    *owner_columns(),  # whose item it is, where items have owners (api/ownership.py)
    Column("row_version", Integer, nullable=False),  # 1, then one more per write: the ETag (core/entity_tags.py)
    Column("created_at", UTCDateTime, nullable=False, index=True),
    Column("updated_at", UTCDateTime, nullable=False),
    unique_per_owner("sku"),
)
