"""The route shapes both comparison apps serve: `/health/live` and `GET /api/v1/items/{id}`.

The item comes from the same database as the rendered service's, with the same SQLAlchemy query in a session of
an engine built by the rendered project's own `create_engine` (pool and timeouts as configured), when the harness passes
DATABASE_URL and BENCH_PACKAGE; renders from before the database keep their items in a dict, and so does this app.
With BENCH_READER=asyncpg (PostgreSQL) it reads the row with asyncpg directly instead: one round trip per read.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, HTTPException
from fixtures import ITEM_BODY, ITEM_ID
from pydantic import BaseModel


class Liveness(BaseModel):
    status: str = "ok"


class Item(BaseModel):
    id: UUID
    name: str
    description: str | None = None
    price_cents: int
    sku: str | None = None
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    # Columns of newer renders: sent when the row has them (`response_model_exclude_unset`), so that the answer has
    # the rendered service's keys whichever render is measured.
    status: str | None = None
    available_at: datetime | None = None
    owner_id: str | None = None


_NOW = datetime.now(UTC)
ITEMS: dict[UUID, Item] = {ITEM_ID: Item(id=ITEM_ID, created_at=_NOW, updated_at=_NOW, sku=None, **ITEM_BODY)}  # type: ignore[arg-type]


def _sql_reader() -> Callable[[UUID], Awaitable[Item | None]] | None:
    package = os.environ.get("BENCH_PACKAGE")
    if not os.environ.get("DATABASE_URL") or not package:
        return None
    try:
        table = importlib.import_module(f"{package}.items.table").items
    except ModuleNotFoundError:  # a render from before the database
        return None
    from sqlalchemy import select

    settings = importlib.import_module(f"{package}.config").load_settings()
    engine = importlib.import_module(f"{package}.database").create_engine(settings)

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    if os.environ.get("BENCH_READER") == "asyncpg" and settings.database.engine == "postgresql":
        return _asyncpg_reader(settings, table)
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def read(item_id: UUID) -> Item | None:
        # A session in a transaction, as the rendered service opens for each request.
        session: AsyncSession
        async with sessions() as session, session.begin():
            row = (await session.execute(select(table).where(table.c.id == item_id))).first()
        return None if row is None else Item.model_validate(dict(row._mapping))

    return read


def _asyncpg_reader(settings: Any, table: Any) -> Callable[[UUID], Awaitable[Item | None]]:
    """The floor of a read: one asyncpg pool of the same size, one prepared `SELECT` per read, one round trip."""
    import asyncpg

    columns = ", ".join(column.name for column in table.columns)
    query = f"SELECT {columns} FROM {table.name} WHERE id = $1"
    pools: list[Any] = []

    async def keep(connection: Any) -> None:
        """asyncpg's default resets every connection given back (a round trip): nothing to reset after a SELECT."""

    async def decode_json(connection: Any) -> None:  # once per connection: the tags column is JSON
        for kind in ("json", "jsonb"):
            await connection.set_type_codec(kind, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")

    async def read(item_id: UUID) -> Item | None:
        if not pools:  # created on the server's event loop, at the first request
            pools.append(
                await asyncpg.create_pool(
                    settings.database.url,
                    min_size=1,
                    max_size=settings.database_pool_size,
                    init=decode_json,
                    reset=keep,
                )
            )
        row = await pools[0].fetchrow(query, item_id)
        return None if row is None else Item.model_validate(dict(row))

    return read


async def _from_dict(item_id: UUID) -> Item | None:
    return ITEMS.get(item_id)


read_item = _sql_reader() or _from_dict
READS_THE_DATABASE = read_item is not _from_dict
router = APIRouter()


@router.get("/health/live")
async def live() -> Liveness:
    return Liveness()


@router.get("/api/v1/items/{item_id}", response_model_exclude_unset=True)
async def get_item(item_id: UUID) -> Item:
    item = await read_item(item_id)
    if item is None:
        raise HTTPException(404, f"Item {item_id} does not exist")
    return item
