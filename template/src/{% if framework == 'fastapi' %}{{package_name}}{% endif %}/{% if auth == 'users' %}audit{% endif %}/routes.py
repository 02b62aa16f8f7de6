"""`GET /api/v1/audit-events`: the audit trail of accounts and audited resources, newest first, for callers
holding `audit:admin`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query
from pydantic import AfterValidator, BaseModel, Field

from ..api.access import requires
from ..api.dependencies import DatabaseSessionDep
from ..api.fields import AwareDatetime
from ..core.accounts.audit import (
    AUDIT_EVENTS_DESCRIPTION,
    AUDIT_EVENTS_PATH,
    AUDIT_READ,
    MAX_SUBJECT_TYPE_LENGTH,
    AuditKind,
)
from ..core.problems import PROBLEM_MEDIA_TYPE
from ..problems import problem_openapi_responses
from ..route_guards import api_router
from . import store

router = api_router(
    prefix=AUDIT_EVENTS_PATH, tags=["audit"], description="The audit trail of accounts and audited resources (admins)."
)

READERS = [requires(AUDIT_READ)]

_ERRORS = problem_openapi_responses(422)
_ERRORS[422]["content"][PROBLEM_MEDIA_TYPE]["example"]["errors"] = [
    {"field": "query.since", "message": "Value error, Input should have a timezone offset, such as Z or +02:00"}
]


KINDS = [kind.value for kind in AuditKind]


def _known_kind(value: str) -> str:
    if value not in KINDS:
        raise ValueError(f"Input should be one of {', '.join(KINDS)}")
    return value


Kind = Annotated[str, AfterValidator(_known_kind), Field(json_schema_extra={"enum": KINDS})]
"""An event's kind (`AuditKind`), its values listed where it is used rather than as a schema of its own."""


class AuditEvent(BaseModel):
    id: int
    kind: Kind
    actor: UUID | None = Field(description="The account that acted; null: anonymous, or the `users` command")
    subject_type: str = Field(description="What `subject` names: `account`, or an audited resource (`bookings`)")
    subject: UUID | None = Field(description="The account or record acted on; null when there is none")
    details: dict[str, Any] = Field(description="What changed (field names, scopes added and removed...); no secret")
    client_address: str | None = Field(description="The client's address; null for the `users` command")
    request_id: str | None = Field(description="The request's id (its log lines carry it too)")
    occurred_at: datetime


class AuditEventPage(BaseModel):
    items: list[AuditEvent]
    total: int = Field(description="Events in all pages")
    limit: int
    offset: int


@router.get(
    "",
    summary="List audit events",
    description=AUDIT_EVENTS_DESCRIPTION,
    dependencies=READERS,
    responses=_ERRORS,
)
async def list_audit_events(
    session: DatabaseSessionDep,
    *,
    subject_type: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=MAX_SUBJECT_TYPE_LENGTH,
            description="Only events about this kind of subject (`account`, `bookings`)",
        ),
    ] = None,
    subject: Annotated[UUID | None, Query(description="Only events about this account or record")] = None,
    actor: Annotated[UUID | None, Query(description="Only events this account caused")] = None,
    kind: Annotated[Kind | None, Query(description="Only events of this kind")] = None,
    since: Annotated[
        AwareDatetime | None, Query(description="Only events at or after this time (with an offset)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Events to skip")] = 0,
) -> AuditEventPage:
    rows, total = await store.page(
        session,
        limit=limit,
        offset=offset,
        subject=subject,
        subject_type=subject_type,
        actor=actor,
        kind=None if kind is None else AuditKind(kind),
        since=since,
    )
    items = [
        AuditEvent(
            id=row["id"],
            kind=row["kind"],
            actor=row["actor_id"],
            subject_type=row["subject_type"],
            subject=row["subject_id"],
            details=row["details"],
            client_address=row["client_address"],
            request_id=row["request_id"],
            occurred_at=row["occurred_at"],
        )
        for row in rows
    ]
    return AuditEventPage(items=items, total=total, limit=limit, offset=offset)
