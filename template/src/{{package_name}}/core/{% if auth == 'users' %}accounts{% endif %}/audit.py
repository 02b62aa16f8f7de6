"""The audit trail of accounts and of audited resources, framework-neutral: which events there are (`AuditKind`),
what one records (`AuditEvent`: who did it, to whom, what, when, from which client address and request), and its
JSON log line.

Each framework stores the events in its `audit_events` table, in the transaction of the change an event records (a
change rolled back leaves no event), and lists them to admins at `GET /api/v1/audit-events`. The table is
append-only for the service: the database itself refuses UPDATE and DELETE on it (`APPEND_ONLY_SQL`), and its
account ids are plain values, not foreign keys, so deleting an account keeps the account's history.

Nothing secret is ever recorded: no password, token or hash, and no email address (an event names accounts by id).
`audit_event` refuses details under a key that names a secret or an address, so a slip fails a test, not an audit.
An audited resource's records (`audited = True`, core/record_changes.py) are in the same trail: each create,
update, delete and restore with who made it, the resource as `subject_type` and the record's id as `subject`, and
the names of the fields it changed (never their values).

A failed sign-in records why (`FailedSignInReason`) for the admins who read the trail; the answer to the client
stays the one answer of every failed sign-in.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final, Literal
from uuid import UUID

from ..limits import client_identity
from ..record_changes import RecordChange
from ..request_context import current_request_id, request_id_var

logger = logging.getLogger(f"{__name__.partition('.')[0]}.audit")

AUDIT_READ: Final = "audit:admin"
"""The scope that lists the audit trail (`GET /api/v1/audit-events`); `users create --admin` grants it, like every
`:admin` scope."""


class AuditKind(StrEnum):
    """What happened to an account, or to a record of an audited resource (the last four). The log line's `event`
    is `audit.<value>`."""

    SIGNED_IN = "signed_in"
    SIGN_IN_FAILED = "sign_in_failed"
    REFRESH_TOKEN_REUSED = "refresh_token_reused"  # noqa: S105 - an event's name
    SIGNED_UP = "signed_up"
    EMAIL_VERIFIED = "email_verified"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"  # noqa: S105 - an event's name
    PASSWORD_RESET = "password_reset"  # noqa: S105 - an event's name
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an event's name
    EMAIL_CHANGED = "email_changed"
    ACCOUNT_CREATED = "account_created"
    ACCOUNT_CHANGED = "account_changed"
    """Fields other than the email, password, scopes, roles and active flag (e.g. the name): `details.fields`."""
    SCOPES_CHANGED = "scopes_changed"
    ROLES_CHANGED = "roles_changed"
    DEACTIVATED = "deactivated"
    REACTIVATED = "reactivated"
    DELETED = "deleted"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    RESTORE = "restore"
    """A soft-deleted record brought back (not a `create`: the record is the one deleted)."""


FailedSignInReason = Literal["unknown_email", "wrong_password", "unverified", "disabled"]
"""Why a sign-in failed, for the trail's readers only: every one of them gets the same answer."""

MAX_DETAILS_KEYS: Final = 16
_SECRET_WORDS: Final = ("password", "token", "secret", "hash", "email", "code")
"""Details never hold a value under a key naming one of these (`email_changed` says that the email changed, not to
what)."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a change came from: the client address the service resolves for its limits and logs (behind the
    trusted proxies of FORWARDED_ALLOW_IPS, the one they forwarded), and the request id. Both are None for the
    `users` command."""

    client_address: str | None
    request_id: str | None

    @classmethod
    def of_request(cls, client_host: str | None) -> Origin:
        """The origin of the request being served, from the peer address its server resolved."""
        return cls(client_identity(client_host), current_request_id())


COMMAND_LINE: Final = Origin(client_address=None, request_id=None)


ACCOUNT: Final = "account"
"""The subject type of the accounts' own events."""


@dataclass(frozen=True, slots=True)
class AuditEvent:
    kind: AuditKind
    actor_id: UUID | None
    """The account that made the change; None for an anonymous caller (a sign-in, a reset) or the `users` command."""
    subject_id: UUID | None
    """The account changed; None when there is none (an unknown email) or the request must not look it up."""
    origin: Origin
    details: Mapping[str, Any] = field(default_factory=dict)
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    subject_type: str = ACCOUNT
    """What `subject_id` names: an account, or a record of an audited resource (`bookings`)."""


def audit_event(
    kind: AuditKind,
    *,
    origin: Origin,
    actor: UUID | None = None,
    subject: UUID | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """An event to store (in the change's transaction) and then log with `log_audit_event`. `ValueError` for details
    under a key that names a secret or an address."""
    details = dict(details or {})
    if len(details) > MAX_DETAILS_KEYS:
        raise ValueError(f"audit details hold at most {MAX_DETAILS_KEYS} keys")
    for key in details:
        if any(word in key.lower() for word in _SECRET_WORDS):
            raise ValueError(f"audit details cannot hold {key!r}: an audit event records no secret and no address")
    return AuditEvent(kind=AuditKind(kind), actor_id=actor, subject_id=subject, origin=origin, details=details)


def account_created_event(
    subject: UUID,
    *,
    scopes: Iterable[str],
    roles: Iterable[str],
    is_active: bool,
    origin: Origin,
    actor: UUID | None = None,
    sign_up: str | None = None,
) -> AuditEvent:
    """The `account_created` event of a new account, whoever made it: its scopes, roles and whether it may sign in.
    `sign_up` names the sign-up whose job created it (its `signed_up` event holds the client's address); such an
    account has no actor, an anonymous caller signed up."""
    details: dict[str, Any] = {"scopes": sorted(scopes), "roles": sorted(roles), "is_active": is_active}
    if sign_up is not None:
        details["sign_up"] = sign_up
    return audit_event(AuditKind.ACCOUNT_CREATED, origin=origin, actor=actor, subject=subject, details=details)


def record_change_event(change: RecordChange) -> AuditEvent:
    """The event of a change of an audited resource's record: its kind, the resource as subject type, the fields
    it changed (`details.fields`, names only), made by the account the caller's token names (None for a job, a
    command, or a subject of another issuer), from the request being served (if any)."""
    origin = Origin(None if change.client_host is None else client_identity(change.client_host), current_request_id())
    return AuditEvent(
        kind=AuditKind(change.kind),
        actor_id=account_id(change.actor),
        subject_id=change.record_id,
        origin=origin,
        details={"fields": list(change.fields)},
        subject_type=change.resource,
    )


def account_id(subject: str | None) -> UUID | None:
    """The account id a token's subject names; None for a subject that is no account id of this service."""
    try:
        return None if subject is None else UUID(subject)
    except ValueError:
        return None


def changed_scopes(before: Iterable[str], after: Iterable[str]) -> dict[str, list[str]]:
    """The details of `scopes_changed` (and `roles_changed`): what was added and what was removed."""
    old, new = set(before), set(after)
    return {"added": sorted(new - old), "removed": sorted(old - new)}


_FIELD_KINDS: Final = {
    "email": AuditKind.EMAIL_CHANGED,
    "scopes": AuditKind.SCOPES_CHANGED,
    "roles": AuditKind.ROLES_CHANGED,
}


def account_change_events(
    before: Mapping[str, Any],
    changes: Mapping[str, Any],
    *,
    origin: Origin,
    actor: UUID | None,
    subject: UUID,
) -> list[AuditEvent]:
    """The events of changing an account from `before` (its stored fields) by `changes` (the fields written; a new
    password as `password`, whatever its value): one per kind of change that really changes something, the other
    fields together in one `account_changed` naming them. No value of an email or a password is recorded."""
    events: list[AuditEvent] = []
    other_fields: list[str] = []
    for name, value in changes.items():
        if name in ("password", "password_hash"):
            events.append(audit_event(AuditKind.PASSWORD_CHANGED, origin=origin, actor=actor, subject=subject))
        elif value == before.get(name) or (name in ("scopes", "roles") and set(value) == set(before.get(name, ()))):
            continue
        elif name in ("scopes", "roles"):
            details = changed_scopes(before.get(name, ()), value)
            events.append(audit_event(_FIELD_KINDS[name], origin=origin, actor=actor, subject=subject, details=details))
        elif name == "email":
            events.append(audit_event(AuditKind.EMAIL_CHANGED, origin=origin, actor=actor, subject=subject))
        elif name == "is_active":
            kind = AuditKind.REACTIVATED if value else AuditKind.DEACTIVATED
            events.append(audit_event(kind, origin=origin, actor=actor, subject=subject))
        else:
            other_fields.append(name)
    if other_fields:
        details = {"fields": sorted(other_fields)}
        events.append(
            audit_event(AuditKind.ACCOUNT_CHANGED, origin=origin, actor=actor, subject=subject, details=details)
        )
    return events


def log_audit_event(event: AuditEvent) -> None:
    """The event's JSON log line (INFO, `event=audit.<kind>`), carrying the event's own request id whenever it is
    written. Call it once the event's transaction committed: a rolled-back change logs nothing."""
    request = request_id_var.set(event.origin.request_id)
    try:
        _log(event)
    finally:
        request_id_var.reset(request)


def _log(event: AuditEvent) -> None:
    logger.info(
        "audit: %s",
        event.kind.value,
        extra={
            "event": f"audit.{event.kind.value}",
            "actor": None if event.actor_id is None else str(event.actor_id),
            "subject": None if event.subject_id is None else str(event.subject_id),
            "client": event.origin.client_address,
            "details": dict(event.details),
        },
    )


# --- the table, as each framework's migration creates it ---------------------------------------------------------

TABLE: Final = "audit_events"
MAX_KIND_LENGTH: Final = 40
MAX_SUBJECT_TYPE_LENGTH: Final = 63
MAX_ADDRESS_LENGTH: Final = 64
MAX_REQUEST_ID_LENGTH: Final = 128
APPEND_ONLY_ERROR: Final = "audit_events is append-only: its rows cannot be changed or deleted"

APPEND_ONLY_SQL: Final[dict[str, tuple[str, ...]]] = {
    "postgresql": (
        "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{APPEND_ONLY_ERROR}'; END $$",
        "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    ),
    "sqlite": (
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_ERROR}'); END",
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_ERROR}'); END",
    ),
}
"""Run after creating the table: the database refuses UPDATE and DELETE of its rows, whatever the service's code
does. (An operator who must prune it drops the trigger in a migration: a decision on record, not a slip.)"""

DROP_APPEND_ONLY_SQL: Final[dict[str, tuple[str, ...]]] = {
    "postgresql": (
        "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events",
        "DROP FUNCTION IF EXISTS audit_events_append_only()",
    ),
    "sqlite": ("DROP TRIGGER IF EXISTS audit_events_no_update", "DROP TRIGGER IF EXISTS audit_events_no_delete"),
}

# --- what the list endpoint says (the same in every framework) ---------------------------------------------------

AUDIT_EVENTS_PATH: Final = "/api/v1/audit-events"
AUDIT_EVENTS_DESCRIPTION: Final = (
    "The audit trail, newest first: of accounts (sign-ins and failed sign-ins, sign-ups, verifications, password "
    "resets and changes, email, scope and role changes, deactivations and deletions) and of audited resources "
    "(`create`, `update`, `delete`, `restore` of a record, with the names of the fields changed), each with who did "
    "it (`actor`), to what (`subject_type`: `account` or the resource's name, and `subject`), when, from which client "
    "address and request. Filter by `subject_type`, `subject`, `actor`, `kind` and `since`. Needs `audit:admin`."
)
