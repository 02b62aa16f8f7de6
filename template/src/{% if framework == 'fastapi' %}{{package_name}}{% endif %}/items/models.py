"""Request and response models of the example resource. Strict: unknown fields and type coercion are refused."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
)

from ..core.entity_tags import entity_tag

NO_NUL_CHARACTERS: Final = r"^[^\x00]*$"
# A name is trimmed, then must keep a character: one that is neither NUL nor whitespace as `str.strip()` sees it
# (spelled out: a JSON Schema client's `\\s` is ECMAScript's, which differs on \x1c-\x1f and \x85).
NOT_BLANK: Final = r"^[^\x00]*[^\x00\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00]*$"


def _integral_number(value: object) -> object:
    """JSON does not distinguish 12 from 12.0 (JSON Schema calls both integers); strings stay refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _without_nul(value: str) -> str:
    """Most databases cannot store NUL characters (PostgreSQL refuses them): refuse them at the door."""
    if "\x00" in value:
        raise ValueError("Null characters are not allowed")
    return value


# Text fields refuse NUL: the validator enforces it with a message people understand, the pattern documents it.
NoNul = AfterValidator(_without_nul)
NoNulDocumented = Field(json_schema_extra={"pattern": NO_NUL_CHARACTERS})


def _stripped(value: object) -> object:
    """`str.strip()`, as every framework trims a name (pydantic's own trimming keeps \x1c-\x1f)."""
    return value.strip() if isinstance(value, str) else value


Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100),
    BeforeValidator(_stripped),
    NoNul,
    Field(json_schema_extra={"pattern": NOT_BLANK}),
]
Description = Annotated[str, StringConstraints(max_length=1000), NoNul, NoNulDocumented]
Cents = Annotated[int, BeforeValidator(_integral_number)]
Tag = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")]
Sku = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]


class ItemIn(BaseModel):
    """What a client sends to create or replace an item."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: Name = Field(description="Display name, 1-100 characters")
    description: Description | None = None
    price_cents: Cents = Field(ge=0, le=100_000_000, description="Price in the smallest currency unit")
    tags: list[Tag] = Field(default_factory=list, max_length=10, description="Lowercase labels")
    sku: Sku | None = Field(default=None, description="Stock-keeping unit: optional, no two items share one")


# A PATCH field that was not sent keeps the item's value: only `model_fields_set` is applied, so this default is
# never validated nor stored. Fields every item has are typed without None: an explicit `null` is refused (422).
NOT_SENT: Any = None


class ItemPatch(BaseModel):
    """A partial update: the fields sent replace the item's, the others stay (`null` clears an optional field)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: Name = Field(default=NOT_SENT, description="Display name, 1-100 characters")
    description: Description | None = None
    price_cents: Cents = Field(
        default=NOT_SENT, ge=0, le=100_000_000, description="Price in the smallest currency unit"
    )
    tags: list[Tag] = Field(default=NOT_SENT, max_length=10, description="Lowercase labels")
    sku: Sku | None = Field(default=None, description="Stock-keeping unit: optional, no two items share one")

    def changes(self) -> dict[str, object]:
        """The fields the client sent, with their new values."""
        return self.model_dump(include=self.model_fields_set)


class Item(ItemIn):
    """An item as stored and returned. Its stored version is not in the body: the `ETag` header carries it."""

    # Every field is always sent, defaults included: the response schema says so (generated clients then type
    # `description` and `tags` as present, not optional).
    model_config = ConfigDict(extra="forbid", strict=False, json_schema_serialization_defaults_required=True)

    id: UUID
    created_at: datetime
    updated_at: datetime
    _version: int = PrivateAttr(default=1)

    @property
    def etag(self) -> str:
        return entity_tag(self._version)

    @property
    def version(self) -> int:
        return self._version


class ItemPage(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    items: list[Item]
    total: int = Field(ge=0, description="Number of items in the collection")
    limit: int
    offset: int
