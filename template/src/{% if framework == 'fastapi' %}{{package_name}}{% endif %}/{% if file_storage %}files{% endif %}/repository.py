"""Storage of file records: the shared repository (api/crud.py) on the files table. Reads, pages and deletes see
ready files only (a direct upload stays out of sight until `complete` has checked its object); `pending` and
`mark_ready` are the two steps of a direct upload, with the same ownership rules."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, insert, literal_column, select, update

from ..api.crud import OWNER, ROW_VERSION, Repository
from ..core.storage import new_key
from .models import File, FileStatus
from .scopes import FILES_ADMIN
from .table import files


class FileRepository(Repository[File]):
    table = files
    model = File
    admin_scope = FILES_ADMIN

    @classmethod
    def _live(cls) -> tuple[ColumnElement[bool], ...]:
        # Inline, not a bound parameter: the reads by id are prepared once with the record's id as their only one.
        return (cls.table.c.status == literal_column(f"'{FileStatus.READY.value}'"),)

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
        """A pending file of the caller's, seen by nobody's reads until `mark_ready`."""
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

    async def mark_ready(self, file_id: uuid.UUID) -> File | None:
        """The pending file made visible, once (None: another request made it ready first)."""
        self._written(file_id)
        table = self.table
        statement = (
            update(table)
            .where(table.c.id == file_id, table.c.status == FileStatus.PENDING.value, *self._of_owner())
            .values(status=FileStatus.READY.value, row_version=table.c[ROW_VERSION] + 1, updated_at=datetime.now(UTC))
            .returning(*table.c)
        )
        row = (await self._session.execute(statement)).first()
        if row is None:
            return None
        await self._publish("created", row._mapping)  # it appears in its owner's list now
        return self._record(row._mapping)
