"""Shared CRUD: what every resource's storage does, written once. A resource declares its table, its response model
and its admin scope; its routes stay thin.

    class BookingRepository(Repository[Booking]):
        table = bookings
        model = Booking
        admin_scope = BOOKINGS_ADMIN

Each repository works in the request's session (api/dependencies.py), so everything an endpoint does is one
transaction, committed before the response is sent, and a database that cannot answer is a 503 (database.py).

- Ownership: a table with an `owner_id` column is owned. A repository of an owned table sees only its caller's
  rows, unless the caller holds the resource's `admin_scope`: reads, pages and their totals, writes, `If-Match`
  checks. Another owner's row is "no such row" (a 404, never a 403). New rows belong to the caller.
- Shared records (`shared = CATALOGUES_READ`, the resource's read scope: a catalogue every customer reads): every
  caller reads every row, and only the holders of `admin_scope` create, change, delete or restore rows; anyone else
  gets `AdminScopeRequired` (a 403 naming the scope), whatever the row. Each write's event reaches every connection
  whose token holds that read scope (core/ownership.py, core/events.py). Nothing else changes: ETags, 304s, the
  cache, problems. New rows still record who created them (`owner_id`).
- Versions: every row has a `row_version` (1, then one more per write), its `ETag`. A write sent with `If-Match`
  applies to that version only: of two clients that read the same version one wins, the other gets `StaleError`
  (412), never a silent lost update. `row_version` is reserved: a model field of that name stops the start.
- Soft delete (`soft_delete = True`, a nullable `deleted_at` column): a delete hides the row from every read and
  write; `restore` brings it back (routes offer it to the admin scope).
- Events (`events=`, api/events.py): every create, update, delete and restore publishes one event to the row's
  owner (`<table>.created`, `.updated`, `.deleted`, with the id and the new version) once the request's transaction
  has committed; nothing when it rolls back. A domain's own events (core/domain_events.py) go the same way, to the
  same owner: `await repository.record_domain_event(BOOKING_CONFIRMED, booking_id, BookingConfirmed(...))`.
- Audit (`audited = True`, in a service with accounts of its own): every create, update, delete and restore
  is recorded in the write's transaction (core/record_changes.py, audit/store.py) with its caller, the resource and
  the record, and the names of the fields it changed (an update compares them with the row it locked), never values.
  A restore is a `restore`. Without an audit trail, an audited resource's writes are refused (`NoAuditTrailError`).
- Cached reads (`cache=`, the application cache with Redis): a read by id may come from the cache, keyed by id.
  Whatever the read returns, from the cache or the database, passes the same ownership check here, so a cached row
  of one owner is never served to another.
- Every write invalidates what it wrote, whoever makes it. In a request, `cache=` does, once the request's
  transaction has committed; anywhere else (a job, a command, a script) the repository tells the process's
  `WrittenRecords` (committed_writes.py: the application cache registers itself) when its session commits. A write
  that bypasses the repository (plain SQL) is seen by nobody: write a resource's rows through its repository.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar, Final, Generic, Protocol, Self, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr
from sqlalchemy import ColumnElement, Select, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..committed_writes import observed, tell_after_commit
from ..core.domain_events import DomainEvent, PayloadT
from ..core.entity_tags import entity_tag, if_match_allows
from ..core.events import Change, Event, record_event
from ..core.ownership import AdminScopeRequired, Owner, may_see, may_write, reaches_every_row
from ..core.record_changes import ChangeKind, RecordChange, changed_fields, no_audit_trail, written_fields
from ..database import fetch_one

ROW_VERSION: Final = "row_version"
"""The column every resource's version is kept in; no field of a resource may take this name."""
OWNER: Final = "owner_id"
DELETED_AT: Final = "deleted_at"


PagedT = TypeVar("PagedT", bound=BaseModel)


class Page(BaseModel, Generic[PagedT]):
    """A page of a resource's list. Every resource answers the same envelope, its records under `items`, so a client
    pages through any of them alike: `class BookingPage(Page[Booking])` names a resource's page in the document."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    items: list[PagedT]
    total: int = Field(ge=0, description="Number of items in the collection")
    limit: int
    offset: int

    @classmethod
    def of(cls, records: list[PagedT], total: int, *, limit: int, offset: int) -> Self:
        """The page holding `records`, `total` in all (the routes name no field: the envelope is this class's)."""
        return cls(items=records, total=total, limit=limit, offset=offset)


class _EveryOwner:
    """Sees every row and owns what it creates no more than anyone: for commands, jobs and tests, never a request."""

    id: Final[None] = None

    def holds(self, scope: str) -> bool:
        return True


EVERY_OWNER: Final = _EveryOwner()


class DuplicateError(Exception):
    """A write would give two rows the same value of a unique column (409)."""


class StaleError(Exception):
    """`If-Match` does not name the row's current version (412)."""


class ReservedFieldError(TypeError):
    """A resource uses a name the shared CRUD keeps for itself: the service refuses to start."""


class Record(BaseModel):
    """The base of a resource's response model: its stored version travels in the `ETag` header, not in the body."""

    _row_version: int = PrivateAttr(default=1)

    @property
    def etag(self) -> str:
        return entity_tag(self._row_version)

    @property
    def row_version(self) -> int:
        return self._row_version


RecordT = TypeVar("RecordT", bound=Record)


class CachedReads(Protocol[RecordT]):
    """A resource's application cache (integrations/read_cache.py): reads by id, invalidated after each write. A miss
    loads in the repository's session (`load(None)`), or the primary's beside a replica (core/replica.py)."""

    async def read(
        self, key: str, load: Callable[[AsyncSession | None], Awaitable[RecordT | None]]
    ) -> RecordT | None: ...
    def written(self, key: str) -> None: ...


class EventRecorder(Protocol):
    """Where a repository records the events of its writes (api/events.py's `PendingEvents`)."""

    async def record(self, session: AsyncSession, event: Event) -> None: ...


ChangeTrail = Callable[[AsyncSession, RecordChange], Awaitable[None]]
"""Stores an audited resource's change in the session's transaction (audit/store.py's `record_change`)."""
_TRAILS: list[ChangeTrail] = []


def keep_changes_in(trail: ChangeTrail) -> None:
    """Make `trail` the store of every audited resource's changes (the audit trail does, once imported)."""
    _TRAILS[:] = [trail]


DETACHERS: list[Callable[[AsyncSession, str, UUID], Awaitable[None]]] = []
"""What a deletion of an attachable resource's record calls: files/attachments.py's `detach_all`, once imported."""


class Repository(Generic[RecordT]):
    """Read by id (one round trip), page and count, create, replace, patch and delete with `If-Match`, for
    `table` rows shown as `model`, seen as `caller` may see them."""

    table: ClassVar[Table]
    model: ClassVar[type[Record]]
    admin_scope: ClassVar[str | None] = None
    """The scope whose holders act on every owner's rows (an owned table's); None: nobody does."""
    shared: ClassVar[str | None] = None
    """A shared resource's read scope (`shared = CATALOGUES_READ`): its holders read every row and receive every
    row's events; only `admin_scope` writes. None: each row is its owner's."""
    soft_delete: ClassVar[bool] = False
    cached_reads: ClassVar[bool] = True
    """False for a table written outside the requests (a worker's) without telling the cache, or whose records keep
    what a cached record does not (the fields beyond the model's): its reads by id then always go to the database."""
    audited: ClassVar[bool] = False
    """True: every create, update, delete and restore is recorded in the audit trail (who, which record, which
    fields)."""
    attachments: ClassVar[bool] = False
    """True: its records take files (core/storage/attachments.py); a record's deletion detaches them."""

    # Built once per resource: `fetch_one` compiles a statement once, and a read by id is a resource's hot path.
    _by_id: ClassVar[Select[Any]]
    _by_id_of_owner: ClassVar[Select[Any]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "table" not in cls.__dict__:
            return
        if cls.shared is not None and cls.admin_scope is None:  # nobody could write it: say so at import
            raise TypeError(f"{cls.__name__} is shared: declare its admin_scope, the scope of its writers")
        by_id = select(cls.table).where(cls.table.c.id == bindparam("record_id"), *cls._live())
        cls._by_id = by_id
        if OWNER in cls.table.c:
            cls._by_id_of_owner = by_id.where(cls.table.c[OWNER] == bindparam("owner_id"))
        _RESOURCES.append(cls)

    def __init__(
        self,
        session: AsyncSession,
        caller: Owner | None,
        *,
        cache: CachedReads[RecordT] | None = None,
        events: EventRecorder | None = None,
        client_host: str | None = None,
    ) -> None:
        self._session = session
        self._client_host = client_host  # the request's peer, for the audit trail
        self._cache = cache
        self._events = events
        self._owned = OWNER in self.table.c
        if self._owned and caller is None:  # fail closed: an owned resource never defaults to every owner's rows
            raise TypeError(f"{type(self).__name__} is owned: give it the caller, or EVERY_OWNER")
        self._caller = caller
        self._is_admin = caller is not None and reaches_every_row(caller, self.admin_scope)
        # A service without callers to tell apart (no owner column) has nothing to share: every row is everyone's.
        self._shared = self._owned and self.shared is not None
        self._sees_all = not self._owned or self._is_admin or self._shared

    # Reads

    async def get(self, record_id: UUID) -> RecordT | None:
        if self._cache is None:
            return await self._load(record_id)
        found = await self._cache.read(str(record_id), lambda session: self._load(record_id, session))
        return found if found is not None and self._may_see(found) else None

    async def page(self, *, limit: int, offset: int) -> tuple[list[RecordT], int]:
        table = self.table
        where = self._visible()
        query = select(table).where(*where).order_by(table.c.created_at, table.c.id).limit(limit).offset(offset)
        rows = (await self._session.execute(query)).all()
        total = (await self._session.execute(select(func.count()).select_from(table).where(*where))).scalar_one()
        return [self._record(row._mapping) for row in rows], total

    # Writes

    async def create(self, data: BaseModel, **values: Any) -> RecordT:
        """A new row from `data` (and `values` the server sets), owned by the caller."""
        self._require_writer()
        now = datetime.now(UTC)
        row_values = {**data.model_dump(), **values, "id": uuid.uuid4(), ROW_VERSION: 1}
        row_values |= {"created_at": now, "updated_at": now}
        if self._owned:
            row_values[OWNER] = self._caller.id if self._caller is not None else None
        statement = insert(self.table).values(row_values).returning(*self.table.c)
        try:
            row = (await self._session.execute(statement)).one()
        except IntegrityError as exc:
            raise DuplicateError from exc  # the request's transaction is rolled back with the error
        await self._publish("created", row._mapping)
        await self._audit("create", row_values["id"], written_fields(row_values))
        return self._record(row._mapping)

    async def replace(self, record_id: UUID, data: BaseModel, *, if_match: str | None = None) -> RecordT | None:
        return await self.update(record_id, data.model_dump(), if_match=if_match)

    async def patch(
        self, record_id: UUID, changes: Mapping[str, Any], *, if_match: str | None = None
    ) -> RecordT | None:
        return await self.update(record_id, changes, if_match=if_match)

    async def update(
        self,
        record_id: UUID,
        values: Mapping[str, Any],
        *,
        if_match: str | None = None,
        where: Iterable[ColumnElement[bool]] = (),
    ) -> RecordT | None:
        """Set `values` on the row (None: the caller sees no such row), one version more. `where` adds conditions
        the row must meet at the moment of the write, which makes a state change happen once however many requests
        race for it (`where=[bookings.c.status != CANCELLED]`); None then also means they did not hold."""
        conditions = tuple(where)
        self._require_writer()
        self._written(record_id)
        version = await self._version_allowed(record_id, if_match)
        if version is None:
            return None
        before = await self._locked(record_id, values) if self.audited else {}
        table = self.table
        statement = (
            update(table)
            .where(*self._unchanged(record_id, version, if_match), *conditions)
            .values({**values, ROW_VERSION: table.c[ROW_VERSION] + 1, "updated_at": datetime.now(UTC)})
            .returning(*table.c)
        )
        try:
            row = (await self._session.execute(statement)).first()
        except IntegrityError as exc:
            raise DuplicateError from exc
        if row is None and if_match is not None and not conditions:
            raise StaleError  # another write came between the check and this one
        if row is None:
            return None
        deleted = DELETED_AT in values
        await self._publish("deleted" if deleted else "updated", row._mapping)
        after = {name: row._mapping[name] for name in before}
        fields = () if deleted else changed_fields(before, after)
        await self._audit("delete" if deleted else "update", record_id, fields)
        return self._record(row._mapping)

    async def delete(self, record_id: UUID, *, if_match: str | None = None) -> bool:
        """Delete the row (hide it, with soft delete); False: the caller sees no such row."""
        if self.soft_delete:
            return await self.update(record_id, {DELETED_AT: datetime.now(UTC)}, if_match=if_match) is not None
        self._require_writer()
        self._written(record_id)
        version = await self._version_allowed(record_id, if_match)
        if version is None:
            return False
        statement = delete(self.table).where(*self._unchanged(record_id, version, if_match)).returning(*self.table.c)
        row = (await self._session.execute(statement)).first()
        if row is None and if_match is not None:
            raise StaleError  # changed since the check, a moment ago
        if row is None:
            return False
        await self._publish("deleted", row._mapping)
        await self._audit("delete", record_id)
        if self.attachments and DETACHERS:  # a soft delete keeps them: a restore brings the record back whole
            await DETACHERS[0](self._session, self.table.name, record_id)
        return True

    async def restore(self, record_id: UUID) -> RecordT | None:
        """Bring a soft-deleted row back: the holders of the admin scope only (None: no such deleted row, or a
        caller without the admin scope)."""
        if not self._is_admin:
            return None
        table = self.table
        self._written(record_id)
        statement = (
            update(table)
            .where(table.c.id == record_id, table.c[DELETED_AT].is_not(None))
            .values({DELETED_AT: None, ROW_VERSION: table.c[ROW_VERSION] + 1, "updated_at": datetime.now(UTC)})
            .returning(*table.c)
        )
        row = (await self._session.execute(statement)).first()
        if row is None:
            return None
        await self._publish("created", row._mapping)  # back in its owner's list
        await self._audit("restore", record_id)
        return self._record(row._mapping)

    # What every statement shares

    @classmethod
    def _live(cls) -> tuple[ColumnElement[bool], ...]:
        return (cls.table.c[DELETED_AT].is_(None),) if cls.soft_delete else ()

    def _of_owner(self) -> tuple[ColumnElement[bool], ...]:
        if self._sees_all:
            return ()
        assert self._caller is not None  # noqa: S101 - `__init__` refused an owned repository without a caller
        return (self.table.c[OWNER] == self._caller.id,)

    def _visible(self) -> tuple[ColumnElement[bool], ...]:
        return (*self._live(), *self._of_owner())

    def _may_see(self, record: RecordT) -> bool:
        if not self._owned:
            return True
        assert self._caller is not None  # noqa: S101 - `__init__` refused an owned repository without a caller
        return may_see(self._caller, self.admin_scope, getattr(record, OWNER, None), shared=self._shared)

    def _require_writer(self) -> None:
        """Before any write: a shared resource is written by its admin scope's holders only (403, even for a row
        that does not exist: the answer says nothing of its rows)."""
        if self._caller is not None and not may_write(self._caller, self.admin_scope, shared=self._shared):
            raise AdminScopeRequired(self.admin_scope or "")

    async def _load(self, record_id: UUID, session: AsyncSession | None = None) -> RecordT | None:
        session = self._session if session is None else session
        if self._sees_all:
            row = await fetch_one(session, self._by_id, record_id=record_id)
        else:
            owner_id = self._caller.id if self._caller is not None else None
            row = await fetch_one(session, self._by_id_of_owner, record_id=record_id, owner_id=owner_id)
        return None if row is None else self._record(row)

    def _record(self, row: Mapping[Any, Any]) -> RecordT:
        values = dict(row)
        version = values.pop(ROW_VERSION)
        values.pop(DELETED_AT, None)
        record: RecordT = self.model.model_validate(values)  # type: ignore[assignment]
        record._row_version = version
        return record

    def _unchanged(self, record_id: UUID, version: int, if_match: str | None) -> tuple[ColumnElement[bool], ...]:
        """The rows a write applies to: the row, and with `If-Match` only while it still has the version checked."""
        table = self.table
        matched = (table.c.id == record_id, *self._visible())
        return matched if if_match is None else (*matched, table.c[ROW_VERSION] == version)

    async def _version_allowed(self, record_id: UUID, if_match: str | None) -> int | None:
        """The row's current version when `If-Match` allows the write (None: the caller sees no such row)."""
        table = self.table
        query = select(table.c[ROW_VERSION]).where(table.c.id == record_id, *self._visible())
        version: int | None = (await self._session.execute(query)).scalar_one_or_none()
        if version is not None and not if_match_allows(if_match, entity_tag(version)):
            raise StaleError
        return version

    async def _publish(self, change: Change, row: Mapping[Any, Any]) -> None:
        """Record the event of a write to `row` (as written): to its owner, whoever wrote it (a shared row's: to
        every holder of its read scope)."""
        if self._events is None:
            return
        owner = row.get(OWNER) if self._owned else None
        readers = frozenset({self.shared}) if self._shared and self.shared is not None else None
        event = record_event(self.table.name, change, row["id"], row[ROW_VERSION], owner, readers=readers)
        await self._events.record(self._session, event)

    async def _locked(self, record_id: UUID, values: Mapping[str, Any]) -> dict[str, Any]:
        """The row's values of the columns `values` writes, locked until the transaction ends (an audited update
        compares them with what it wrote: no other write comes between)."""
        columns = [self.table.c[name] for name in values if name in self.table.c]
        if not columns:
            return {}
        query = select(*columns).where(self.table.c.id == record_id).with_for_update()
        found = (await self._session.execute(query)).first()
        return {} if found is None else dict(found._mapping)

    async def _audit(self, kind: ChangeKind, record_id: UUID, fields: tuple[str, ...] = ()) -> None:
        """Record the change in the audit trail, in this transaction (an audited resource's only)."""
        if not self.audited:
            return
        if not _TRAILS:
            raise no_audit_trail(self.table.name)
        actor = None if self._caller is None else self._caller.id
        change = RecordChange(kind, self.table.name, record_id, actor, fields, self._client_host)
        await _TRAILS[0](self._session, change)

    async def record_domain_event(self, declared: DomainEvent[PayloadT], record_id: UUID, payload: PayloadT) -> bool:
        """Record one of the domain's own events about a row, in this transaction: published to the row's owner
        (whoever calls) once the transaction has committed, as a change of the row is. False, and nothing
        recorded, when the caller sees no such row."""
        table = self.table
        query = select(table.c[OWNER] if self._owned else table.c.id).where(table.c.id == record_id, *self._visible())
        found = (await self._session.execute(query)).first()
        if found is None:
            return False
        if self._events is not None:
            owner = found[0] if self._owned else None
            await self._events.record(self._session, declared.event(owner, record_id, payload))
        return True

    def _written(self, record_id: UUID) -> None:
        if self._cache is not None:
            self._cache.written(str(record_id))
        elif self.cached_reads and observed():
            tell_after_commit(self._session, self.table.name, str(record_id))


_RESOURCES: list[type[Repository[Any]]] = []


def refuse_reserved_fields(repositories: Iterable[type[Repository[Any]]] | None = None) -> None:
    """Stop the start when a resource's model has a field the shared CRUD keeps for itself (`row_version`); every
    repository declared so far unless `repositories` are given."""
    for repository in _RESOURCES if repositories is None else repositories:
        if ROW_VERSION in repository.model.model_fields:
            raise ReservedFieldError(
                f"{repository.model.__name__}.{ROW_VERSION}: `{ROW_VERSION}` is the column of every resource's "
                "version (its ETag); rename the field"
            )
