"""Storage of items behind a small interface, and its SQL implementation (PostgreSQL or SQLite)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from ..database import transaction
from .models import Item, ItemIn
from .table import items


class ItemRepository(Protocol):
    async def page(self, *, limit: int, offset: int) -> tuple[list[Item], int]: ...
    async def get(self, item_id: UUID) -> Item | None: ...
    async def create(self, data: ItemIn) -> Item: ...
    async def replace(self, item_id: UUID, data: ItemIn) -> Item | None: ...
    async def delete(self, item_id: UUID) -> bool: ...


def _item(row: Any) -> Item:
    return Item.model_validate(dict(row._mapping))


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
        values = {**data.model_dump(), "id": uuid.uuid4(), "created_at": now, "updated_at": now}
        async with transaction(self._engine) as connection:
            row = (await connection.execute(insert(items).values(values).returning(*items.c))).one()
        return _item(row)

    async def replace(self, item_id: UUID, data: ItemIn) -> Item | None:
        values = {**data.model_dump(), "updated_at": datetime.now(UTC)}
        statement = update(items).where(items.c.id == item_id).values(values).returning(*items.c)
        async with transaction(self._engine) as connection:
            row = (await connection.execute(statement)).first()
        return None if row is None else _item(row)

    async def delete(self, item_id: UUID) -> bool:
        async with transaction(self._engine) as connection:
            result = await connection.execute(delete(items).where(items.c.id == item_id))
        return bool(result.rowcount)
