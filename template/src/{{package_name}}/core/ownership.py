"""Who sees a resource's rows: the rule every resource's reads and writes apply (api/crud.py or api/ownership.py).

A row of an owned resource belongs to the caller that created it (`owner_id`, the token's subject). A caller sees and
changes only its own rows, unless it holds the resource's admin scope, which reaches every row, those without an
owner (created before rows had owners) included. Another owner's row is no row at all: a 404, never a 403.

A shared resource (a catalogue every customer reads) says so once (`shared`, api/crud.py or api/resources.py): every
caller allowed to read it reads every row, and only the holders of its admin scope create, change or delete rows
(anyone else: a 403 naming that scope). Its events reach every connection holding its read scope.
"""

from __future__ import annotations

from typing import Protocol


class Owner(Protocol):
    """Whom a resource's rows are read and written for: a request's caller, or code acting for every owner."""

    @property
    def id(self) -> str | None: ...

    def holds(self, scope: str) -> bool: ...


def reaches_every_row(owner: Owner, admin_scope: str | None) -> bool:
    """Whether `owner` acts on every owner's rows: it holds the resource's admin scope (None: the resource has none)."""
    return admin_scope is not None and owner.holds(admin_scope)


def sees_every_row(owner: Owner, admin_scope: str | None, *, shared: bool = False) -> bool:
    """Whether `owner` reads every row: any reader of a shared resource does, else the admin scope's holders."""
    return shared or reaches_every_row(owner, admin_scope)


def may_see(owner: Owner, admin_scope: str | None, owner_id: str | None, *, shared: bool = False) -> bool:
    """Whether `owner` may see a row owned by `owner_id` (None: a row without an owner, reached by the admin scope
    only)."""
    return sees_every_row(owner, admin_scope, shared=shared) or (owner_id is not None and owner_id == owner.id)


def may_write(owner: Owner, admin_scope: str | None, *, shared: bool = False) -> bool:
    """Whether `owner` may write at all: its own rows of an owned resource, any row of a shared one with the admin
    scope only (a shared resource without an admin scope is written by nobody: closed, not open)."""
    return not shared or reaches_every_row(owner, admin_scope)


class AdminScopeRequired(Exception):  # noqa: N818 - a refusal, answered as any missing scope is
    """A caller without a shared resource's admin scope tried to write it (a 403 naming `scope`)."""

    def __init__(self, scope: str) -> None:
        super().__init__(f"writing needs scope {scope}")
        self.scope = scope
