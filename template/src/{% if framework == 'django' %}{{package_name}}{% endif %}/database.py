"""The database readiness check: reachable, and every migration applied.

A production start does not migrate (`MIGRATE_ON_START`), so a forgotten `manage.py migrate` would otherwise leave
readiness at 200 while every /api request fails with "no such table".
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.db import DEFAULT_DB_ALIAS, connections
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


def _check_in_worker_thread() -> None:
    # A worker thread, not Django's thread-sensitive one: a check past the readiness timeout must not hold up
    # requests. Django's connections are per thread, so this thread's connection is closed when done.
    try:
        check_database_sync()
    finally:
        connections.close_all()


async def check_database() -> None:
    """The readiness check (`ServiceState.add_check`); ServiceState bounds it with its check timeout."""
    await sync_to_async(_check_in_worker_thread, thread_sensitive=False)()


def pool_stats(alias: str = DEFAULT_DB_ALIAS) -> PoolStats | None:
    """Django's connection pool for PostgreSQL right now (metrics); None without one (SQLite)."""
    pool = getattr(connections[alias], "pool", None)  # shared by every thread of the process
    if pool is None:
        return None
    stats = pool.get_stats()
    size, idle = stats.get("pool_size", 0), stats.get("pool_available", 0)
    return PoolStats(in_use=size - idle, idle=idle, overflow=0)  # the pool never opens more than its max_size
