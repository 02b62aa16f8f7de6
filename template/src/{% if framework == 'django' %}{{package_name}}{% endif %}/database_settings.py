"""Django's `DATABASES` entry from the service's settings: PostgreSQL through psycopg 3 and Django's connection pool,
or the SQLite file. settings.py calls this once; nothing here touches a database."""

from __future__ import annotations

import math
from typing import Any, Final

from .config import Settings

# libpq counts whole seconds and treats anything under 2 as 2.
_MIN_CONNECT_TIMEOUT_S = 2


def database_entry(settings: Settings) -> dict[str, Any]:
    database = settings.database
    if database.engine == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": database.name,
            "OPTIONS": {
                # Writers queue instead of failing with "database is locked"; readers never block writers.
                "timeout": settings.database_pool_timeout,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # The test database is a file too, not SQLite's in-memory one: Django never closes in-memory
            # connections, and the readiness check opens one in a worker thread.
            "TEST": {"NAME": f"{database.name}-test"},
        }
    options: dict[str, Any] = {
        **database.options,  # sslmode and the like, from the URL's query
        "connect_timeout": max(_MIN_CONNECT_TIMEOUT_S, math.ceil(settings.database_connect_timeout)),
        "application_name": "api",
        # Django's pool (psycopg_pool): at most DATABASE_POOL_SIZE connections per process, none kept open while
        # the service is idle. A request waits DATABASE_POOL_TIMEOUT seconds for a free one, but never longer than
        # DATABASE_CONNECT_TIMEOUT: with the database down, the pool keeps retrying in the background and this
        # wait is the only bound on the answer (a 503). A slower successful connect still joins the pool.
        "pool": {
            "min_size": 0,
            "max_size": settings.database_pool_size,
            "timeout": min(settings.database_pool_timeout, settings.database_connect_timeout),
        },
    }
    if database.transaction_pooled:
        # Behind a transaction pooler (DATABASE_POOLER=transaction) the next transaction may run on another server
        # connection: nothing prepared for later (Django's default, kept explicit), no server-side cursor
        # (DISABLE_SERVER_SIDE_CURSORS below), no `options` startup parameter (PgBouncer refuses it).
        options["prepare_threshold"] = None
    elif settings.database_statement_timeout:
        options["options"] = f"-c statement_timeout={settings.database_statement_timeout}"
    return {
        "ENGINE": f"{__package__}.postgresql",
        "NAME": database.name,
        "USER": database.user,
        "PASSWORD": database.password,
        "HOST": database.host,
        "PORT": str(database.port or ""),
        # The pool keeps the connections: each request takes one and gives it back when it ends. Django's health
        # check (the pool's `check_connection`) would cost a round trip per request; this package's backend
        # (postgresql/base.py) replaces a connection a restarted server dropped without one.
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "DISABLE_SERVER_SIDE_CURSORS": database.transaction_pooled,
        "OPTIONS": options,
    }


DIRECT: Final = "direct"  # DATABASE_DIRECT_URL's alias: `migrate` (and its advisory lock) runs past the pooler


def databases(settings: Settings) -> dict[str, dict[str, Any]]:
    """`default` (DATABASE_URL: requests, jobs) and, with DATABASE_DIRECT_URL, `direct` (tests mirror `default`)."""
    found = {"default": database_entry(settings)}
    if settings.database_direct_url is not None:
        direct = database_entry(settings.direct_settings())
        options = {**direct["OPTIONS"], "application_name": "migrate"}
        found[DIRECT] = {**direct, "OPTIONS": options, "TEST": {"MIRROR": "default"}}
    return found


REPLICA: Final = "replica"  # DATABASE_REPLICA_URL's alias (PostgreSQL services): postgresql/replica.py routes there
_REPLICA_ROUTING: Final = f"{__package__}.postgresql.replica"


def with_read_replica(
    settings: Settings, found: dict[str, dict[str, Any]], middleware: list[str], routers: list[str]
) -> tuple[dict[str, dict[str, Any]], list[str], list[str]]:
    """`DATABASES`, `MIDDLEWARE` and `DATABASE_ROUTERS` with the read replica's alias, middleware and router when
    DATABASE_REPLICA_URL is set (core/replica.py's rule); as they are without it: nothing of the replica then runs."""
    url = getattr(settings, "database_replica_url", None)  # a setting of PostgreSQL services only
    if url is None:
        return found, middleware, routers
    # The primary's pool and timeouts, read directly (never a pooler's options); tests mirror `default`.
    entry = database_entry(settings.model_copy(update={"database_url": url, "database_pooler": "none"}))
    replica = {
        **entry,
        "OPTIONS": {**entry["OPTIONS"], "application_name": "api-replica"},
        "TEST": {"MIRROR": "default"},
    }
    return (
        {**found, REPLICA: replica},
        [f"{_REPLICA_ROUTING}.ReplicaReadsMiddleware", *middleware],
        [*routers, f"{_REPLICA_ROUTING}.ReplicaRouter"],
    )
