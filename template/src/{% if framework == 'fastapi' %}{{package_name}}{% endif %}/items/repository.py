"""Storage of items behind a small interface; the in-memory version serves the example and the tests."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Protocol
from uuid import UUID

from .models import Item, ItemIn


class ItemRepository(Protocol):
    async def page(self, *, limit: int, offset: int) -> tuple[list[Item], int]: ...
    async def get(self, item_id: UUID) -> Item | None: ...
    async def create(self, data: ItemIn) -> Item: ...
    async def replace(self, item_id: UUID, data: ItemIn) -> Item | None: ...
    async def delete(self, item_id: UUID) -> bool: ...


class InMemoryItemRepository:
    """Keeps items in a dict, in insertion order. Per process: each worker has its own."""

    def __init__(self, max_items: int = 10_000) -> None:
        self._items: dict[UUID, Item] = {}
        self._lock = asyncio.Lock()
        self.max_items = max_items

    async def page(self, *, limit: int, offset: int) -> tuple[list[Item], int]:
        items = list(self._items.values())
        return items[offset : offset + limit], len(items)

    async def get(self, item_id: UUID) -> Item | None:
        return self._items.get(item_id)

    async def create(self, data: ItemIn) -> Item:
        async with self._lock:
            if len(self._items) >= self.max_items:
                # Unbounded growth would let any client exhaust memory; drop the oldest entry instead.
                self._items.pop(next(iter(self._items)))
            now = datetime.now(UTC)
            item = Item(id=uuid.uuid4(), created_at=now, updated_at=now, **data.model_dump())
            self._items[item.id] = item
            return item

    async def replace(self, item_id: UUID, data: ItemIn) -> Item | None:
        async with self._lock:
            current = self._items.get(item_id)
            if current is None:
                return None
            item = current.model_copy(update={**data.model_dump(), "updated_at": datetime.now(UTC)})
            self._items[item_id] = item
            return item

    async def delete(self, item_id: UUID) -> bool:
        async with self._lock:
            return self._items.pop(item_id, None) is not None
