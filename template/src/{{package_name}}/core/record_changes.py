"""Who changed which record of an audited resource, framework-neutral: a resource declares `audited = True` (on its
repository with FastAPI, on its view set with Django) and each of its creates, updates, deletes and restores is a
`RecordChange`, stored in the service's audit trail in the write's transaction (`audit/`, with accounts).

A change names the fields it wrote, never their values: a record's content stays in its table, readable as its
scopes say, while the trail is read by the holders of `audit:admin`. A service without an audit trail refuses to
write an audited resource's records (`NoAuditTrailError`) rather than write them unrecorded."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal
from uuid import UUID

ChangeKind = Literal["create", "update", "delete", "restore"]

BOOKKEEPING: Final = frozenset({"id", "owner_id", "row_version", "created_at", "updated_at", "deleted_at"})
"""Columns every write sets by itself: never listed as a change's fields."""


class NoAuditTrailError(RuntimeError):
    """An audited resource was written in a service (or process) without an audit trail: the write is refused."""


@dataclass(frozen=True, slots=True)
class RecordChange:
    kind: ChangeKind
    resource: str
    """The resource's name (`bookings`), as its events name it: the audit trail's subject type."""
    record_id: UUID
    actor: str | None
    """Who wrote it (the caller's subject); None for a job, a command or a script."""
    fields: tuple[str, ...] = ()
    """The fields the change set (a create) or changed (an update), sorted; none for a delete or a restore."""
    client_host: str | None = None
    """The peer address the server resolved for the request; None outside one."""


def written_fields(values: Iterable[str]) -> tuple[str, ...]:
    """The fields of a new record, its bookkeeping left out."""
    return tuple(sorted(set(values) - BOOKKEEPING))


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, ...]:
    """The fields of `after` whose value differs from `before`'s, its bookkeeping left out: writing a value a field
    holds already changes nothing."""
    return tuple(sorted(name for name in after if name not in BOOKKEEPING and before.get(name) != after[name]))


def no_audit_trail(resource: str) -> NoAuditTrailError:
    return NoAuditTrailError(
        f"{resource} is audited (`audited = True`) but this service keeps no audit trail (only a service with "
        "accounts of its own does): its records are not written unrecorded"
    )
