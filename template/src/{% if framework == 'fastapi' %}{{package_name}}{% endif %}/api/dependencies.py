"""Typed access to the objects `create_app` attaches to the application."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from ..core.lifecycle import ServiceState
from ..items.repository import ItemRepository
from ..settings import Settings


async def get_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


async def get_service_state(request: Request) -> ServiceState:
    return cast(ServiceState, request.app.state.service)


async def get_item_repository(request: Request) -> ItemRepository:
    return cast(ItemRepository, request.app.state.items)


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServiceStateDep = Annotated[ServiceState, Depends(get_service_state)]
ItemRepositoryDep = Annotated[ItemRepository, Depends(get_item_repository)]
