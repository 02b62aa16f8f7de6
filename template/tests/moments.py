"""Moments a client may send (an item's `available_at`, the audit trail's `since`, ...): the edges the service stores
and answers, and the strings that look like moments but name none it can store (a 422, never a 500)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

STORABLE: Final = {
    "0001-01-01T00:00:00Z": datetime(1, 1, 1, tzinfo=UTC),
    "0001-01-01T00:00:00-01:00": datetime(1, 1, 1, 1, tzinfo=UTC),
    "9999-12-31T23:59:59.999999Z": datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    "9999-12-31T23:59:59+01:00": datetime(9999, 12, 31, 22, 59, 59, tzinfo=UTC),
}
"""The first and last moments, as sent, and the moment each names."""

NOT_STORABLE: Final = (
    "0001-01-01T00:00:00+01:00",  # in year 0 in UTC
    "9999-12-31T23:59:59-01:00",  # in year 10000 in UTC
    "0000-01-01T00:00:00Z",  # there is no year 0
    "10000-01-01T00:00:00Z",
    "2026-01-01T00:00:00+99:00",  # offsets stay within a day
    "2026-01-01T00:00:00+24:00",
    "2026-01-01T25:00:00Z",
    "2026-02-30T00:00:00Z",
    "2026-01-01T00:00:00 01:00",  # `+01:00` sent unencoded in a query string: the `+` reads as a space
)
