"""Storage of file records: the shared repository (api/crud.py) on the files table. Reads, pages and deletes see
every file but pending ones (a direct upload stays out of sight until `complete` has checked its object; a
quarantined or rejected file is seen with its status); `pending` and `advance` are the steps of a file's states
(core/storage/lifecycle.py), with the same ownership rules."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, insert, literal_column, or_, select, update

from ..api.crud import OWNER, ROW_VERSION, Repository
from ..core.storage import new_key
from ..core.storage.lifecycle import HOLDING_BYTES
from .models import File, FileStatus
from .scopes import FILES_ADMIN
from .table import files


class FileRepository(Repository[File]):
    table = files
    model = File
    admin_scope = FILES_ADMIN
    # Read from the database, never the application cache: the worker changes a file's status (its scan) outside any
    # request, and a record's owner and storage key are not among the fields a cached record keeps.
    cached_reads = False

    @classmethod
    def _live(cls) -> tuple[ColumnElement[bool], ...]:
        # Inline, not a bound parameter: the reads by id are prepared once with the record's id as their only one.
        return (cls.table.c.status != literal_column(f"'{FileStatus.PENDING.value}'"),)

    def _record(self, row: Mapping[Any, Any]) -> File:
        values = dict(row)
        storage_key = values.pop("storage_key")
        owner = values.pop(OWNER, None)
        record = super()._record(values)
        record._storage_key = storage_key
        record._owner = owner
        return record

    def new_key(self) -> str:
        """A new object key under the caller's prefix."""
        return new_key(self._caller.id if self._caller is not None else None, uuid.uuid4())

    async def create_pending(self, *, name: str, content_type: str, size_bytes: int, storage_key: str) -> File:
        """A pending file of the caller's, seen by nobody's reads until `advance`."""
        self._require_writer()
        now = datetime.now(UTC)
        values: dict[str, Any] = {
            "id": uuid.uuid4(),
            "name": name,
            "content_type": content_type,
            "size_bytes": size_bytes,
            "storage_key": storage_key,
            "status": FileStatus.PENDING.value,
            ROW_VERSION: 1,
            "created_at": now,
            "updated_at": now,
        }
        if self._owned:
            values[OWNER] = self._caller.id if self._caller is not None else None
        row = (await self._session.execute(insert(self.table).values(values).returning(*self.table.c))).one()
        return self._record(row._mapping)

    async def pending(self, file_id: uuid.UUID) -> File | None:
        """The caller's pending file (None: no such file, ready already, or another owner's)."""
        table = self.table
        query = select(table).where(
            table.c.id == file_id, table.c.status == FileStatus.PENDING.value, *self._of_owner()
        )
        row = (await self._session.execute(query)).first()
        return None if row is None else self._record(row._mapping)

    async def advance(self, file_id: uuid.UUID, *, to: FileStatus, since: FileStatus) -> File | None:
        """The caller's file moved from `since` to `to`, once (None: it is not in `since` any more, or not theirs)."""
        self._written(file_id)
        table = self.table
        statement = (
            update(table)
            .where(table.c.id == file_id, table.c.status == since.value, *self._of_owner())
            .values(status=to.value, row_version=table.c[ROW_VERSION] + 1, updated_at=datetime.now(UTC))
            .returning(*table.c)
        )
        row = (await self._session.execute(statement)).first()
        if row is None:
            return None
        # Out of pending, it appears in its owner's list: created, as far as its readers know.
        await self._publish("created" if since is FileStatus.PENDING else "updated", row._mapping)
        return self._record(row._mapping)

    async def used_bytes(self, pending_since: datetime) -> int:
        """The bytes the caller's files take against their quota, pending uploads since `pending_since` included
        (each reserves its announced size until it is abandoned)."""
        table = self.table
        owner = (table.c[OWNER] == self._caller.id,) if self._owned and self._caller is not None else ()
        counted = or_(
            table.c.status.in_(HOLDING_BYTES),
            and_(table.c.status == FileStatus.PENDING.value, table.c.created_at >= pending_since),
        )
        query = select(func.coalesce(func.sum(table.c.size_bytes), 0)).where(counted, *owner)
        used: int = (await self._session.execute(query)).scalar_one()
        return used

    async def discard_pending(self, file_id: uuid.UUID) -> None:
        """The caller's pending file gone (a completion refused for good: nothing is left of it)."""
        table = self.table
        await self._session.execute(
            delete(table).where(table.c.id == file_id, table.c.status == FileStatus.PENDING.value, *self._of_owner())
        )
