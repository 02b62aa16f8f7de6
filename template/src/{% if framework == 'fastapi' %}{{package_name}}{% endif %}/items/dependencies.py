"""The items' repository, as a typed route parameter (`repository: ItemRepositoryDep`).

To keep items elsewhere (a test double, another store), override the dependency, as with any FastAPI dependency:
`app.dependency_overrides[get_item_repository] = lambda session: MyRepository(session)` (it may take the request's
`DatabaseSessionDep` too)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from ..api.dependencies import DatabaseSessionDep
from .repository import ItemRepository, SqlItemRepository


async def get_item_repository(session: DatabaseSessionDep) -> ItemRepository:
    return SqlItemRepository(session)


ItemRepositoryDep = Annotated[ItemRepository, Depends(get_item_repository)]
