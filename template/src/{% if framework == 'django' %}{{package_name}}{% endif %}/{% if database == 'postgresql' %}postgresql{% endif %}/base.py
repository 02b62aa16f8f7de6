"""Django's PostgreSQL `DatabaseWrapper`, except for the check of a pooled connection before a request uses it.

Django's health check (`CONN_HEALTH_CHECKS`, the pool's `check_connection`) sends an empty query each time a request
takes a connection from the pool: a round trip on every request, before its own statement. Here the check reads the
connection's socket instead: an idle connection has nothing to read unless the server has said goodbye (PostgreSQL
restarted, failed over, or ended the session) or closed the socket. Such a connection is closed and given back (the
pool discards it and opens a replacement), and the request takes the next one, so it never gets a connection the
server has already dropped. One dropped without a word (a network partition) is found by its next statement
instead: that request answers 503, and the pool replaces the connection.
"""

from __future__ import annotations

import selectors
from typing import Any

import psycopg
from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        pool: ConnectionPool[Any] | None = getattr(self, "pool", None)  # Django's, typed (django-stubs lack it)
        # Every pooled connection may have been dropped at once (a restart): one more than the pool holds.
        for _ in range(pool.max_size if pool else 0):
            if pool is None or not closed_by_server(connection):
                break
            connection.close()
            pool.putconn(connection)
            connection = super().get_new_connection(conn_params)
        return connection


def closed_by_server(connection: psycopg.Connection[Any]) -> bool:
    """Whether the server has closed this idle connection, or said it would: without sending anything."""
    if connection.closed or connection.broken:
        return True
    with selectors.DefaultSelector() as selector:
        selector.register(connection.fileno(), selectors.EVENT_READ)
        return bool(selector.select(timeout=0))
