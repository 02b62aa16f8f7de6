"""What a resource's rows (api/resources.py) tell the rest of the service: which rows each write changed, and a row
as a read answers it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.dispatch import Signal

rows_written = Signal()
"""Sent inside the transaction of every write to a resource's rows, whoever makes it: `sender` is the model, `keys`
the ids (strings) of the rows changed or deleted, `using` the database alias. What keeps copies of rows (the
application cache, api/record_cache.py, where the service has one) listens."""


@dataclass(frozen=True, slots=True)
class Representation:
    """A row as a read answers it: the serializer's data, its ETag and whose it is (None: nobody's)."""

    etag: str
    owner_id: str | None
    body: dict[str, Any]
