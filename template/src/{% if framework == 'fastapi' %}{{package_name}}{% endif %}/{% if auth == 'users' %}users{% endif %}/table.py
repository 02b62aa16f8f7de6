"""The accounts' tables: `users` and their `refresh_tokens` (one row per token issued; a login's rotations share a
family). Revoked access token ids are `revocations/table.py`'s."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, ForeignKey, String, Table, Uuid
from sqlalchemy.dialects.postgresql import JSONB

from ..database import UTCDateTime, metadata

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    # Stored case-folded (models.py normalises every email it is given): unique whatever the case typed.
    Column("email", String(320), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("scopes", JSON().with_variant(JSONB(), "postgresql"), nullable=False),
    Column("password_hash", String(512), nullable=False),
    Column("created_at", UTCDateTime, nullable=False, index=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 of the token: the token itself is never stored
    Column("family_id", String(32), nullable=False, index=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("scopes", JSON().with_variant(JSONB(), "postgresql"), nullable=False),
    # The access token issued with this refresh token: revoking the family revokes it too.
    Column("access_token_id", String(64), nullable=False),
    Column("access_expires_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)
