"""procrastinate's connector for this service: jobs deferred on the request's own SQLAlchemy connection commit or
roll back with the request's writes; everything else goes to the connector the process runs on (psycopg's pool in
the worker, the in-memory queue where there is no PostgreSQL).

The service talks to PostgreSQL through asyncpg, whose connections psycopg cannot share: a job deferred with
`task.configure(connection=<AsyncConnection>)` is sent here as procrastinate's own SQL, its `%(name)s` parameters
turned into asyncpg's `$n`, in the transaction that connection is in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, LiteralString

from procrastinate import exceptions, types
from procrastinate.connector import BaseAsyncConnector, BaseConnector, Notify, Pool
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

_PARAMETER = re.compile(r"%\((\w+)\)s")


def driver_sql(query: str, arguments: dict[str, Any]) -> tuple[str, tuple[Any, ...]]:
    """procrastinate's `%(name)s` query as asyncpg's `$n` one, with its arguments in that order."""
    names: list[str] = []

    def numbered(match: re.Match[str]) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    sql = _PARAMETER.sub(numbered, query)
    return sql, tuple(_driver_value(arguments[name]) for name in names)


def _driver_value(value: Any) -> Any:
    if isinstance(value, list):
        return [_driver_value(item) for item in value]
    if isinstance(value, types.JobToDefer):  # a row of PostgreSQL's procrastinate_job_to_defer_v1 type
        return (
            value.queue_name,
            value.task_name,
            value.priority,
            value.lock,
            value.queueing_lock,
            json.dumps(value.args),
            value.scheduled_at,
        )
    if isinstance(value, dict):
        return json.dumps(value)  # jsonb
    return value


class ServiceConnector(BaseAsyncConnector):
    """Delegates to the connector `use()` set, and runs queries given a SQLAlchemy connection on that connection."""

    def __init__(self) -> None:
        self._delegate: BaseConnector | None = None

    def use(self, connector: BaseConnector) -> None:
        self._delegate = connector

    @property
    def delegate(self) -> BaseConnector:
        if self._delegate is None:
            raise exceptions.AppNotOpen("the job queue is not configured: call jobs.queue.configure_queue()")
        return self._delegate

    def get_sync_connector(self) -> BaseConnector:
        return self.delegate.get_sync_connector()

    async def open_async(self, pool: Pool | None = None) -> None:
        await self.delegate.open_async(pool)

    async def close_async(self) -> None:
        await self.delegate.close_async()

    async def execute_query_async(self, query: LiteralString, **arguments: Any) -> None:
        await self.delegate.execute_query_async(query, **arguments)

    async def execute_query_one_async(self, query: LiteralString, **arguments: Any) -> dict[str, Any]:
        return await self.delegate.execute_query_one_async(query, **arguments)

    async def execute_query_all_async(self, query: LiteralString, **arguments: Any) -> list[dict[str, Any]]:
        return await self.delegate.execute_query_all_async(query, **arguments)

    async def execute_query_one_async_with_connection(
        self, connection: Any, query: LiteralString, **arguments: Any
    ) -> dict[str, Any]:
        rows = await self.execute_query_all_async_with_connection(connection, query, **arguments)
        return rows[0]

    async def execute_query_all_async_with_connection(
        self, connection: Any, query: LiteralString, **arguments: Any
    ) -> list[dict[str, Any]]:
        if not isinstance(connection, AsyncConnection):
            return await self.delegate.execute_query_all_async_with_connection(connection, query, **arguments)
        sql, values = driver_sql(query, arguments)
        try:
            result = await connection.exec_driver_sql(sql, values)
        except IntegrityError as exc:
            constraint = getattr(exc.orig, "constraint_name", None) or getattr(
                getattr(exc.orig, "__cause__", None), "constraint_name", None
            )
            raise exceptions.UniqueViolation(str(exc.orig), constraint_name=constraint, queueing_lock=None) from exc
        return [dict(row._mapping) for row in result]

    async def listen_notify(self, on_notification: Notify, channels: Iterable[str]) -> None:
        await self.delegate.listen_notify(on_notification, channels)
