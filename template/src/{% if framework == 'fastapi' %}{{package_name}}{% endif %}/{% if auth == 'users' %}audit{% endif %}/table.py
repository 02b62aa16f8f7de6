"""`audit_events`: one row per account event or change of an audited resource's record, never changed or deleted
(migration 0010 makes the database refuse it). The account ids are plain values, not foreign keys: deleting an
account keeps its history."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, String, Table, Uuid
from sqlalchemy.dialects.postgresql import JSONB

from ..core.accounts.audit import (
    ACCOUNT,
    MAX_ADDRESS_LENGTH,
    MAX_KIND_LENGTH,
    MAX_REQUEST_ID_LENGTH,
    MAX_SUBJECT_TYPE_LENGTH,
    TABLE,
)
from ..database import UTCDateTime, metadata

audit_events = Table(
    TABLE,
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("kind", String(MAX_KIND_LENGTH), nullable=False),
    Column("actor_id", Uuid, nullable=True),
    Column("subject_id", Uuid, nullable=True),
    Column("subject_type", String(MAX_SUBJECT_TYPE_LENGTH), nullable=False, server_default=ACCOUNT),
    Column("details", JSON().with_variant(JSONB(), "postgresql"), nullable=False),
    Column("client_address", String(MAX_ADDRESS_LENGTH), nullable=True),
    Column("request_id", String(MAX_REQUEST_ID_LENGTH), nullable=True),
    Column("occurred_at", UTCDateTime, nullable=False),
    # The list's filters, newest first.
    Index("ix_audit_events_occurred_at", "occurred_at"),
    Index("ix_audit_events_subject_id", "subject_id", "occurred_at"),
    Index("ix_audit_events_actor_id", "actor_id", "occurred_at"),
    Index("ix_audit_events_subject_type", "subject_type", "occurred_at"),
)
