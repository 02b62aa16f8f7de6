"""The read replica's `DATABASES` entry (`DATABASE_REPLICA_URL`; replica.py routes the reads). settings.py adds it,
with replica.py's router and middleware, only when the URL is set: without it nothing of the replica exists."""

from __future__ import annotations

from typing import Any, Final

from ..config import Settings
from ..database_settings import database_entry

REPLICA: Final = "replica"
"""The replica's alias in `DATABASES`."""


def replica_entry(settings: Settings) -> dict[str, Any]:
    """DATABASE_REPLICA_URL with the pool and timeouts of DATABASE_URL (never a pooler's options: it is read
    directly); tests mirror `default`, as they do `direct`."""
    if settings.database_replica_url is None:
        raise ValueError("DATABASE_REPLICA_URL is not set: there is no replica to describe")
    replica = settings.model_copy(
        update={"database_url": settings.database_replica_url, "database_direct_url": None, "database_pooler": "none"}
    )
    entry = database_entry(replica)
    return {**entry, "OPTIONS": {**entry["OPTIONS"], "application_name": "api-replica"}, "TEST": {"MIRROR": "default"}}
