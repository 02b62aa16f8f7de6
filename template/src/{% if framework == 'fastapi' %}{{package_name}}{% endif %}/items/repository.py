"""Storage of items: the shared repository (api/crud.py) on the items table. Reads by id, pages, writes with
`If-Match`, ownership and the application cache come with it; add an item-only query here as a method."""

from __future__ import annotations

from ..api.crud import Repository
from .models import Item
from .scopes import ITEMS_ADMIN
from .table import items


class ItemRepository(Repository[Item]):
    table = items
    model = Item
    admin_scope = ITEMS_ADMIN
