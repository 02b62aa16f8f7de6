"""Storage of items behind a small interface, and its SQL implementation (PostgreSQL or SQLite).

Writes take the client's `If-Match` (core/entity_tags.py): a write that names a version applies to that version
only, checked and written in one transaction, so of two clients that read the same version one wins and the other
gets `StaleItemError` (412), never a silent lost update.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import ColumnElement, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ..core.entity_tags import entity_tag, if_match_allows
from ..database import transaction
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


def _item(row: Any) -> Item:
    values = dict(row._mapping)
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
    """Each call is one transaction, committed before it returns (so before the response is sent)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def page(self, *, limit: int, offset: int) -> tuple[list[Item], int]:
        query = select(items).order_by(items.c.created_at, items.c.id).limit(limit).offset(offset)
        async with transaction(self._engine) as connection:
            rows = (await connection.execute(query)).all()
            total = (await connection.execute(select(func.count()).select_from(items))).scalar_one()
        return [_item(row) for row in rows], total

    async def get(self, item_id: UUID) -> Item | None:
        async with transaction(self._engine) as connection:
            row = (await connection.execute(select(items).where(items.c.id == item_id))).first()
        return None if row is None else _item(row)

    async def create(self, data: ItemIn) -> Item:
        now = datetime.now(UTC)
        values = {**data.model_dump(), "id": uuid.uuid4(), "version": 1, "created_at": now, "updated_at": now}
        try:
            async with transaction(self._engine) as connection:
                row = (await connection.execute(insert(items).values(values).returning(*items.c))).one()
        except IntegrityError as exc:
            raise DuplicateSkuError from exc
        return _item(row)

    async def replace(self, item_id: UUID, data: ItemIn, *, if_match: str | None = None) -> Item | None:
        return await self._write(item_id, data.model_dump(), if_match)

    async def patch(self, item_id: UUID, changes: ItemPatch, *, if_match: str | None = None) -> Item | None:
        return await self._write(item_id, changes.changes(), if_match)

    async def delete(self, item_id: UUID, *, if_match: str | None = None) -> bool:
        async with transaction(self._engine) as connection:
            version = await self._version_allowed(connection, item_id, if_match)
            if version is None:
                return False
            result = await connection.execute(delete(items).where(*_unchanged(item_id, version, if_match)))
            if not result.rowcount and if_match is not None:
                raise StaleItemError  # changed since the check, a moment ago
        return bool(result.rowcount)

    async def _write(self, item_id: UUID, values: dict[str, Any], if_match: str | None) -> Item | None:
        try:
            async with transaction(self._engine) as connection:
                version = await self._version_allowed(connection, item_id, if_match)
                if version is None:
                    return None
                statement = (
                    update(items)
                    .where(*_unchanged(item_id, version, if_match))
                    .values({**values, "version": items.c.version + 1, "updated_at": datetime.now(UTC)})
                    .returning(*items.c)
                )
                row = (await connection.execute(statement)).first()
                if row is None and if_match is not None:
                    raise StaleItemError  # another write came between the check and this one
        except IntegrityError as exc:
            raise DuplicateSkuError from exc
        return None if row is None else _item(row)

    @staticmethod
    async def _version_allowed(connection: AsyncConnection, item_id: UUID, if_match: str | None) -> int | None:
        """The item's current version when `If-Match` allows the write (None: there is no such item)."""
        query = select(items.c.version).where(items.c.id == item_id)
        version: int | None = (await connection.execute(query)).scalar_one_or_none()
        if version is not None and not if_match_allows(if_match, entity_tag(version)):
            raise StaleItemError
        return version
