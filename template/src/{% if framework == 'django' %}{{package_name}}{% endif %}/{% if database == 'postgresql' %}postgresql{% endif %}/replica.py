"""The read replica in Django (core/replica.py says the rule): a database router that sends the reads of the apps in
`REPLICA_READS`, in GET and HEAD requests, to the `replica` alias while it is usable, and a middleware that tells the
router which request it serves. settings.py installs both only with DATABASE_REPLICA_URL."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Final

from asgiref.sync import markcoroutinefunction
from django.conf import settings as django_settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponseBase

from ..core.replica import LAG_QUERY, ReplicaMonitor, ReplicaStatus, caller_of
from ..database_settings import REPLICA

REPLICA_READS: Final = frozenset(
    {
        # One app label per resource whose reads may be behind its writes by DATABASE_REPLICA_MAX_LAG.
        # Accounts, revocations, the audit trail and job status are never here: they must be fresh.
        "items",
    }
)
READ_ONLY_METHODS: Final = frozenset({"GET", "HEAD"})


@functools.cache
def replica_status() -> ReplicaStatus:
    """The process's one view of the replica (the router, the monitor and readiness share it)."""
    return ReplicaStatus(django_settings.SERVICE_SETTINGS.database_replica_max_lag)


@dataclass
class _Request:
    scope: dict[str, Any]
    reads_replica: bool | None = None
    """Decided at the request's first routed read (its caller is known by then: the view has authenticated it)."""


_current: ContextVar[_Request | None] = ContextVar("replica_request", default=None)


class ReplicaReadsMiddleware:
    """Tells the router which request it is routing for: its caller, and whether it may read the replica at all (GET
    and HEAD only; every other request reads the primary, and its writes start its caller's read-your-writes)."""

    sync_capable = False
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Awaitable[HttpResponseBase]]) -> None:
        self.get_response = get_response
        markcoroutinefunction(self)

    async def __call__(self, request: HttpRequest) -> HttpResponseBase:
        scope = getattr(request, "scope", None)  # None under Django's test client (WSGI): the primary, then
        if scope is None:
            return await self.get_response(request)
        token = _current.set(_Request(scope, reads_replica=None if request.method in READ_ONLY_METHODS else False))
        try:
            return await self.get_response(request)
        finally:
            _current.reset(token)


class ReplicaRouter:
    """`DATABASE_ROUTERS`: reads of `REPLICA_READS` apps in a GET or HEAD request go to the replica when it may
    serve them; everything else, and anything inside a transaction, goes to the primary (None: the default)."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        request = _current.get()
        if request is None or model._meta.app_label not in REPLICA_READS:
            return None
        if request.reads_replica is None:
            request.reads_replica = _may_read_replica(request)
        if not request.reads_replica or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        request = _current.get()
        if request is not None:  # a GET that writes: its caller reads its own writes, and so does the request
            request.reads_replica = False
            replica_status().wrote(caller_of(request.scope))
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None  # the replica replays the primary's migrations


def _may_read_replica(request: _Request) -> bool:
    status = replica_status()
    if not status.may_read(caller_of(request.scope)):
        return False
    # A connection first: a replica that has gone is found here, where the primary can still answer, rather than in
    # the view's query, where it would be a 503.
    replica = connections[REPLICA]
    if replica.connection is None:
        try:
            replica.ensure_connection()
        except DatabaseError:
            status.unreachable()  # not tried again until the monitor reaches it
            return False
    return True


_MONITOR_THREAD: Final = ThreadPoolExecutor(max_workers=1, thread_name_prefix="database-replica-monitor")
"""The monitor's own thread (Django's connections are per thread): one connection, given back after each query."""


def _measure_sync() -> float:
    connection = connections[REPLICA]
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_QUERY)
            row = cursor.fetchone()
        return float(row[0]) if row else 0.0
    finally:
        connection.close()


async def _measure() -> float:
    return await asyncio.get_running_loop().run_in_executor(_MONITOR_THREAD, _measure_sync)


def replica_monitor() -> ReplicaMonitor:
    return ReplicaMonitor(replica_status(), _measure)
