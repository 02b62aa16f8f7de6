"""One connection to the queue's database before a command opens the queue (`worker`, `jobs failed | retry`).

procrastinate's pool waits 30 seconds for its first connection and then ends in a traceback: a worker started
beside a database that is down, or on a wrong host or password, said nothing useful for half a minute. This says in
one line, within DATABASE_CONNECT_TIMEOUT, why it cannot start, and the command exits with 75 (EX_TEMPFAIL) for its
supervisor to try again later.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import psycopg

if TYPE_CHECKING:
    from ..database import Database

# libpq waits at least 2 seconds, whatever connect_timeout asks for.
LIBPQ_SHORTEST_TIMEOUT_S = 2


def unreachable(database: Database, timeout_s: float) -> str | None:
    """None when PostgreSQL accepts a connection within `timeout_s`; else the line that says it did not and why (in
    libpq's words, which never carry the password)."""
    try:
        with psycopg.connect(database.url, connect_timeout=max(LIBPQ_SHORTEST_TIMEOUT_S, math.ceil(timeout_s))):
            return None
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0].rsplit(" failed: ", 1)[-1] or type(error).__name__
        return f"the database at {database.location()} refused or did not answer within {timeout_s:g} s: {reason}"
