"""Recording audit events in the caller's transaction, and reading them back a page at a time.

`record` inserts the events with the change they describe, in its session: a change rolled back leaves none. Their
log lines are written once that session's transaction has committed (a SQLAlchemy `after_commit` hook), so a
rolled-back change logs nothing either. A job, which writes on a connection rather than a session, stores its events
with `record_on_connection` and logs them itself once its transaction has committed.

Importing this module makes it the trail of every audited resource's changes (`record_change`, api/crud.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final
from uuid import UUID

from sqlalchemy import event, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from ..api import crud
from ..core.accounts.audit import AuditEvent, AuditKind, log_audit_event, record_change_event
from ..core.record_changes import RecordChange
from .table import audit_events

_PENDING: Final = "audit_events_to_log"


async def record(session: AsyncSession, *events: AuditEvent) -> None:
    """Store `events` in the session's transaction; each is logged once it commits."""
    if not events:
        return
    await session.execute(insert(audit_events), [_row(audit) for audit in events])
    session.sync_session.info.setdefault(_PENDING, []).extend(events)


async def record_change(session: AsyncSession, change: RecordChange) -> None:
    """Store the change of an audited resource's record, in the write's transaction (api/crud.py calls it)."""
    await record(session, record_change_event(change))


crud.keep_changes_in(record_change)


async def record_on_connection(connection: AsyncConnection, *events: AuditEvent) -> None:
    """Store `events` in the connection's transaction (a job's). Nothing logs them: the caller does
    (`log_audit_event`), once that transaction has committed."""
    if events:
        await connection.execute(insert(audit_events), [_row(audit) for audit in events])


async def page(
    session: AsyncSession,
    *,
    limit: int,
    offset: int,
    subject: UUID | None = None,
    subject_type: str | None = None,
    actor: UUID | None = None,
    kind: AuditKind | None = None,
    since: datetime | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """A page of events, newest first, and how many match in all."""
    conditions = []
    if subject is not None:
        conditions.append(audit_events.c.subject_id == subject)
    if subject_type is not None:
        conditions.append(audit_events.c.subject_type == subject_type)
    if actor is not None:
        conditions.append(audit_events.c.actor_id == actor)
    if kind is not None:
        conditions.append(audit_events.c.kind == kind.value)
    if since is not None:
        conditions.append(audit_events.c.occurred_at >= since)
    query = (
        select(audit_events)
        .where(*conditions)
        .order_by(audit_events.c.occurred_at.desc(), audit_events.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    rows = (await session.execute(query)).all()
    total = (await session.execute(select(func.count()).select_from(audit_events).where(*conditions))).scalar_one()
    return [dict(row._mapping) for row in rows], total


def _row(audit: AuditEvent) -> dict[str, Any]:
    return {
        "kind": audit.kind.value,
        "actor_id": audit.actor_id,
        "subject_id": audit.subject_id,
        "subject_type": audit.subject_type,
        "details": dict(audit.details),
        "client_address": audit.origin.client_address,
        "request_id": audit.origin.request_id,
        "occurred_at": audit.occurred_at,
    }


@event.listens_for(Session, "after_commit")
def _log_committed(session: Session) -> None:
    for audit in session.info.pop(_PENDING, ()):
        log_audit_event(audit)


@event.listens_for(Session, "after_transaction_end")
def _forget_rolled_back(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the session's transaction, not a savepoint: committed and logged, or rolled back
        session.info.pop(_PENDING, None)
