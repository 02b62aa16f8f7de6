"""`revoked_tokens`: access token ids (`jti`) refused until they expire (core/revoked_tokens.py). The database keeps
them because every deployment has one and keeps it: a Redis restart or flush cannot un-revoke a token."""

from __future__ import annotations

from sqlalchemy import Column, Float, String, Table

from ..database import metadata

revoked_tokens = Table(
    "revoked_tokens",
    metadata,
    Column("token_id", String(256), primary_key=True),
    Column("until", Float, nullable=False, index=True),  # Unix seconds: refused until then
)
