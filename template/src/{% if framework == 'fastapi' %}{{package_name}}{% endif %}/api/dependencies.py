"""Typed access to the objects `create_app` attaches to the application, and the request's database session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, cast

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..config import Settings
from ..core.lifecycle import ServiceState
from ..database import session_transaction


async def get_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


async def get_service_state(request: Request) -> ServiceState:
    return cast(ServiceState, request.app.state.service)


async def get_database_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request, in one transaction: committed when the endpoint returns, rolled back when it raises.
    Used with `scope="function"`, it ends before the response is sent, so a commit that fails is a problem response
    (503), never a success already on the wire."""
    sessions = cast(async_sessionmaker[AsyncSession], request.app.state.sessions)
    async with session_transaction(sessions) as session:
        yield session


DatabaseSessionDep = Annotated[AsyncSession, Depends(get_database_session, scope="function")]


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServiceStateDep = Annotated[ServiceState, Depends(get_service_state)]
