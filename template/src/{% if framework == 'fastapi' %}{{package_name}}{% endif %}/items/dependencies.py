"""The items' repository, as a typed route parameter (`repository: ItemRepositoryDep`), built for each request by
`api/repositories.py`.

To keep items elsewhere (a test double, another store), override the dependency, as with any FastAPI dependency:
`app.dependency_overrides[get_item_repository] = ...`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from ..api.repositories import repository_dependency
from .repository import ItemRepository

get_item_repository = repository_dependency(ItemRepository)

ItemRepositoryDep = Annotated[ItemRepository, Depends(get_item_repository)]
