"""The item every app serves; plain data, importable by the harness without FastAPI."""

from __future__ import annotations

from uuid import UUID

# The comparison apps have it preloaded; the harness creates the same one on the rendered service by POST.
ITEM_ID = UUID("6f1c3a52-9d0e-4b8e-a7f4-2f4b7c1d9e10")
ITEM_BODY: dict[str, object] = {
    "name": "Pour-over kettle",
    "description": "Gooseneck, 1 litre, stainless steel",
    "price_cents": 4990,
    "tags": ["kitchen", "coffee"],
}
