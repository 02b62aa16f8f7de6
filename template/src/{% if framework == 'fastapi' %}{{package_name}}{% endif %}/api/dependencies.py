"""Typed access to what `create_app` builds (its `AppContext`), and the request's database session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Final

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from ..config import Settings
from ..context import app_context
from ..core.lifecycle import ServiceState
from ..database import read_session, run_after_commit, session_transaction


async def get_settings(request: Request) -> Settings:
    return app_context(request.app).settings


async def get_service_state(request: Request) -> ServiceState:
    return app_context(request.app).service


# Requests that only read: each statement is its own transaction (`create_read_sessions`).
READ_ONLY_METHODS: Final = frozenset({"GET", "HEAD"})


async def get_database_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request, in one transaction: committed when the endpoint returns, rolled back when it raises;
    what waited for the commit (`database.after_commit`: the writes' events) runs once it is done. Used with
    `scope="function"`, it ends before the response is sent, so a commit that fails is a problem response (503),
    never a success already on the wire. A GET or HEAD gets a session in autocommit mode instead, with no
    transaction to begin or commit (`read_session`): a read by id is one round trip to the database, with no BEGIN
    and COMMIT around it."""
    context = app_context(request.app)
    routing = context.read_routing  # a read replica (integrations/replica.py); None without one
    if request.method in READ_ONLY_METHODS:
        sessions = None if routing is None else await routing.sessions_for(request)
        async with read_session(sessions or context.read_sessions) as session:
            yield session
        return
    async with session_transaction(context.sessions) as session:
        yield session
    # Reached only when the endpoint returned and the commit succeeded: FastAPI raises a failure here instead.
    if routing is not None:
        routing.wrote(request)  # committed: the caller reads its own writes
    await run_after_commit(session)  # the writes' events (api/events.py)


DatabaseSessionDep = Annotated[AsyncSession, Depends(get_database_session, scope="function")]


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServiceStateDep = Annotated[ServiceState, Depends(get_service_state)]
