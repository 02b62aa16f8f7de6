"""Request and response models of the example resource. Strict: unknown fields and type coercion are refused."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints


def _integral_number(value: object) -> object:
    """JSON does not distinguish 12 from 12.0 (JSON Schema calls both integers); strings stay refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Cents = Annotated[int, BeforeValidator(_integral_number)]
Tag = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")]


class ItemIn(BaseModel):
    """What a client sends to create or replace an item."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: Name = Field(description="Display name, 1-100 characters")
    description: str | None = Field(default=None, max_length=1000)
    price_cents: Cents = Field(ge=0, le=100_000_000, description="Price in the smallest currency unit")
    tags: list[Tag] = Field(default_factory=list, max_length=10, description="Lowercase labels")


class Item(ItemIn):
    """An item as stored and returned."""

    model_config = ConfigDict(extra="forbid", strict=False)

    id: UUID
    created_at: datetime
    updated_at: datetime


class ItemPage(BaseModel):
    items: list[Item]
    total: int = Field(ge=0, description="Number of items in the collection")
    limit: int
    offset: int
