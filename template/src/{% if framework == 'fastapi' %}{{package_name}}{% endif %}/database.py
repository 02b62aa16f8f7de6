"""The SQLAlchemy engine of the service: built from the one `Settings`, checked for readiness, and the one place
that turns "the database cannot answer" into `DatabaseUnavailableError` (a 503 problem, see problems.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import QueuePool

from .core.database import PoolStats
from .settings import Settings


class DatabaseUnavailableError(Exception):
    """The database did not answer (down, unreachable, pool exhausted, statement timeout): the client may retry."""


def create_engine(settings: Settings) -> AsyncEngine:
    """One engine per process, created in the lifespan and disposed at shutdown."""
    database = settings.database
    if database.engine == "sqlite":
        # One file, one writer at a time: SQLite waits up to the pool timeout for a lock instead of failing at once.
        return create_async_engine(database.sqlalchemy_url(), connect_args={"timeout": settings.database_pool_timeout})
    server_settings = {"application_name": "api"}
    if settings.database_statement_timeout:
        server_settings["statement_timeout"] = str(settings.database_statement_timeout)
    connect_args: dict[str, Any] = {"timeout": settings.database_connect_timeout, "server_settings": server_settings}
    return create_async_engine(
        database.sqlalchemy_url(),
        pool_size=settings.database_pool_size,
        max_overflow=0,  # DATABASE_POOL_SIZE is the most connections a process opens: size the server for it
        pool_timeout=settings.database_pool_timeout,
        pool_pre_ping=True,  # a connection the server dropped (restart, failover) is replaced, not handed out
        connect_args=connect_args,
    )


@asynccontextmanager
async def transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction, committed when the block ends (before the response is sent) and rolled back
    on error. Failures to reach the database become `DatabaseUnavailableError`; constraint violations stay
    `IntegrityError` for the caller to map."""
    try:
        async with engine.begin() as connection:
            yield connection
    except IntegrityError:
        raise
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        raise DatabaseUnavailableError(type(exc).__name__) from exc


def pool_stats(engine: AsyncEngine) -> PoolStats | None:
    """The engine's pool right now (metrics); None for a pool that keeps no count (SQLite in memory)."""
    pool = engine.sync_engine.pool
    if not isinstance(pool, QueuePool):
        return None
    # `overflow()` counts down from zero while the pool is below its size: only what is beyond it is overflow.
    return PoolStats(in_use=pool.checkedout(), idle=pool.checkedin(), overflow=max(pool.overflow(), 0))


async def check_database(engine: AsyncEngine) -> None:
    """The readiness check (`ServiceState.add_check`, which bounds it with its timeout)."""
    async with transaction(engine) as connection:
        await connection.execute(text("SELECT 1"))
