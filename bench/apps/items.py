"""The route shapes both comparison apps serve: `/health/live` and `GET /api/v1/items/{id}` from a dict."""

from __future__ import annotations

from datetime import UTC, datetime
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
    tags: list[str]
    created_at: datetime
    updated_at: datetime


_NOW = datetime.now(UTC)
ITEMS: dict[UUID, Item] = {ITEM_ID: Item(id=ITEM_ID, created_at=_NOW, updated_at=_NOW, **ITEM_BODY)}  # type: ignore[arg-type]

router = APIRouter()


@router.get("/health/live")
async def live() -> Liveness:
    return Liveness()


@router.get("/api/v1/items/{item_id}")
async def get_item(item_id: UUID) -> Item:
    item = ITEMS.get(item_id)
    if item is None:
        raise HTTPException(404, f"Item {item_id} does not exist")
    return item
