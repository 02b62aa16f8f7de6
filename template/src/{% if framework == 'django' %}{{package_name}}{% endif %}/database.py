"""The database readiness check: reachable, and every migration applied.

A production start does not migrate (`MIGRATE_ON_START`), so a forgotten `manage.py migrate` would otherwise leave
readiness at 200 while every /api request fails with "no such table".
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Final

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor

from .core.database import PoolStats
from .core.lifecycle import NotReady


class UnappliedMigrationsError(NotReady):
    def __init__(self, count: int) -> None:
        super().__init__(f"{count} unapplied migration{'s' if count != 1 else ''}: run manage.py migrate")


def check_database_sync(alias: str = DEFAULT_DB_ALIAS) -> None:
    """Raises when the database cannot be queried or has unapplied migrations."""
    connection = connections[alias]
    executor = MigrationExecutor(connection)  # reads django_migrations: fails when the database is unreachable
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise UnappliedMigrationsError(len(plan))


_READINESS_THREAD: Final = ThreadPoolExecutor(max_workers=1, thread_name_prefix="database-readiness")
"""The check's own thread: the shared worker threads may all be busy with slow requests, and a check past the
readiness timeout must not hold up requests either."""


def _check_in_readiness_thread(alias: str = DEFAULT_DB_ALIAS) -> None:
    # Requests holding every pooled connection make the pool busy, not the database down: readiness must stay 200
    # while PostgreSQL answers (a probe failing on every saturated replica would take them all out of service at
    # once). So a saturated pool is bypassed: Django's connections are per thread, and this thread's connection
    # becomes one without a pool, opened and closed by the check. Otherwise the check takes a pooled connection, so
    # that readiness also says when the pool itself cannot connect (after an outage, until it has recovered).
    pooled = connections[alias]
    if _saturated(pooled):
        connections[alias] = _without_pool(pooled)
    try:
        check_database_sync(alias)
    finally:
        connections[alias].close()
        connections[alias] = pooled


def _saturated(connection: BaseDatabaseWrapper) -> bool:
    pool = getattr(connection, "pool", None)
    if pool is None:
        return False
    stats = pool.get_stats()
    return bool(stats.get("pool_size", 0) >= pool.max_size and stats.get("pool_available", 0) == 0)


def _without_pool(connection: BaseDatabaseWrapper) -> BaseDatabaseWrapper:
    """A connection object with `connection`'s settings but no pool (it connects on first use)."""
    options = {key: value for key, value in connection.settings_dict["OPTIONS"].items() if key != "pool"}
    return type(connection)({**connection.settings_dict, "OPTIONS": options}, connection.alias)


async def check_database() -> None:
    """The readiness check (`ServiceState.add_check`); ServiceState bounds it with its check timeout."""
    await asyncio.get_running_loop().run_in_executor(_READINESS_THREAD, _check_in_readiness_thread)


def pool_stats(alias: str = DEFAULT_DB_ALIAS) -> PoolStats | None:
    """Django's connection pool for PostgreSQL right now (metrics); None without one (SQLite)."""
    pool = getattr(connections[alias], "pool", None)  # shared by every thread of the process
    if pool is None:
        return None
    stats = pool.get_stats()
    size, idle = stats.get("pool_size", 0), stats.get("pool_available", 0)
    # The pool never opens more than its max_size: no overflow.
    return PoolStats(in_use=size - idle, idle=idle, overflow=0, size=pool.max_size)
