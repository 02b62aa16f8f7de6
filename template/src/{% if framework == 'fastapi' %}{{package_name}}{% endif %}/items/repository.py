"""Storage of items behind a small interface, and its SQL implementation (PostgreSQL or SQLite).

The SQL repository works in the request's session (api/dependencies.py): everything an endpoint does is one
transaction, committed before the response is sent. Writes take the client's `If-Match` (core/entity_tags.py): a
write that names a version applies to that version only, so of two clients that read the same version one wins and
the other gets `StaleItemError` (412), never a silent lost update.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import ColumnElement, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..core.entity_tags import entity_tag, if_match_allows
from ..database import fetch_one
from .models import Item, ItemIn, ItemPatch
from .table import items


class DuplicateSkuError(Exception):
    """Another item already has this sku (409)."""


class StaleItemError(Exception):
    """`If-Match` does not name the item's current version (412)."""


class ItemRepository(Protocol):
    async def page(self, *, limit: int, offset: int) -> tuple[list[Item], int]: ...
    async def get(self, item_id: UUID) -> Item | None: ...
    async def create(self, data: ItemIn) -> Item: ...
    async def replace(self, item_id: UUID, data: ItemIn, *, if_match: str | None = None) -> Item | None: ...
    async def patch(self, item_id: UUID, changes: ItemPatch, *, if_match: str | None = None) -> Item | None: ...
    async def delete(self, item_id: UUID, *, if_match: str | None = None) -> bool: ...


# Built once: `fetch_one` compiles a statement once, and a read by id is the hot path of a resource.
_BY_ID = select(items).where(items.c.id == bindparam("item_id"))


def _item(row: Mapping[Any, Any]) -> Item:
    values = dict(row)
    version = values.pop("version")
    item = Item.model_validate(values)
    item._version = version
    return item


def _unchanged(item_id: UUID, version: int, if_match: str | None) -> tuple[ColumnElement[bool], ...]:
    """The rows a write applies to: the item, and with `If-Match` only while it still has the version checked."""
    if if_match is None:
        return (items.c.id == item_id,)
    return items.c.id == item_id, items.c.version == version


class SqlItemRepository:
    """Items in the service's database, through the request's session (its transaction is the request's)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def page(self, *, limit: int, offset: int) -> tuple[list[Item], int]:
        query = select(items).order_by(items.c.created_at, items.c.id).limit(limit).offset(offset)
        rows = (await self._session.execute(query)).all()
        total = (await self._session.execute(select(func.count()).select_from(items))).scalar_one()
        return [_item(row._mapping) for row in rows], total

    async def get(self, item_id: UUID) -> Item | None:
        row = await fetch_one(self._session, _BY_ID, item_id=item_id)  # one round trip, past the ORM (database.py)
        return None if row is None else _item(row)

    async def create(self, data: ItemIn) -> Item:
        now = datetime.now(UTC)
        values = {**data.model_dump(), "id": uuid.uuid4(), "version": 1, "created_at": now, "updated_at": now}
        try:
            row = (await self._session.execute(insert(items).values(values).returning(*items.c))).one()
        except IntegrityError as exc:
            raise DuplicateSkuError from exc  # the request's transaction is rolled back with the error
        return _item(row._mapping)

    async def replace(self, item_id: UUID, data: ItemIn, *, if_match: str | None = None) -> Item | None:
        return await self._write(item_id, data.model_dump(), if_match)

    async def patch(self, item_id: UUID, changes: ItemPatch, *, if_match: str | None = None) -> Item | None:
        return await self._write(item_id, changes.changes(), if_match)

    async def delete(self, item_id: UUID, *, if_match: str | None = None) -> bool:
        version = await self._version_allowed(item_id, if_match)
        if version is None:
            return False
        result = await self._session.execute(delete(items).where(*_unchanged(item_id, version, if_match)))
        if not result.rowcount and if_match is not None:  # type: ignore[attr-defined]
            raise StaleItemError  # changed since the check, a moment ago
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def _write(self, item_id: UUID, values: dict[str, Any], if_match: str | None) -> Item | None:
        version = await self._version_allowed(item_id, if_match)
        if version is None:
            return None
        statement = (
            update(items)
            .where(*_unchanged(item_id, version, if_match))
            .values({**values, "version": items.c.version + 1, "updated_at": datetime.now(UTC)})
            .returning(*items.c)
        )
        try:
            row = (await self._session.execute(statement)).first()
        except IntegrityError as exc:
            raise DuplicateSkuError from exc
        if row is None and if_match is not None:
            raise StaleItemError  # another write came between the check and this one
        return None if row is None else _item(row._mapping)

    async def _version_allowed(self, item_id: UUID, if_match: str | None) -> int | None:
        """The item's current version when `If-Match` allows the write (None: there is no such item)."""
        query = select(items.c.version).where(items.c.id == item_id)
        version: int | None = (await self._session.execute(query)).scalar_one_or_none()
        if version is not None and not if_match_allows(if_match, entity_tag(version)):
            raise StaleItemError
        return version
