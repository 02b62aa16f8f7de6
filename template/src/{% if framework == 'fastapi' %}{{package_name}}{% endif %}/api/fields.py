"""Field types that work as JSON, for request and response models: date, time, timezone-aware datetime, UUID,
string enums, decimal money and email.

Request models are strict (`ConfigDict(strict=True)`): `"1"` is not the integer 1, `1` is not the string "1". JSON
has no date, UUID or enum, so a strict model would refuse every one of them as sent; each type here accepts its
JSON form (a string) and nothing looser, and documents it in the OpenAPI schema (`format`, `enum`).

    class BookingIn(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)
        starts_at: AwareDatetime          # "2030-01-01T09:00:00Z"; a datetime without offset is a 422
        status: JsonEnum[BookingStatus]   # "draft"; the schema lists the values
        price: Money                      # "12.50" as a string: a JSON number is refused, money stays exact
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import uuid
from decimal import Decimal
from typing import Annotated, Final, TypeVar

from pydantic import AfterValidator, BeforeValidator, Field, Strict, WithJsonSchema

E = TypeVar("E", bound=enum.Enum)

# Lax parsing of the JSON string, and only of a string: anything else stays a 422.
_FROM_STRING: Final = Strict(False)


def _only_strings(value: object) -> object:
    """What JSON sends for these types is a string; an integer or a number parsed into one is refused."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError("Input should be a string")
    return value


_STRING_ONLY: Final = BeforeValidator(_only_strings)


def _iso_8601_moment(value: object) -> object:
    """A moment is written as RFC 3339 says (`2030-01-31T09:30:00Z`): a string of digits (`"1700000000"`, `"0.5"`),
    which the parser would take for Unix seconds, is refused."""
    if isinstance(value, str):
        try:
            dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("Input should be a date and time such as 2030-01-31T09:30:00Z") from None
    return value


def _aware_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("Input should have a timezone offset, such as Z or +02:00")
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is in year 0 in UTC: no datetime (nor database) holds it
        raise ValueError(f"Input should be a moment between {_EARLIEST} and {_LATEST}") from None


_EARLIEST: Final = "0001-01-01T00:00:00Z"
_LATEST: Final = "9999-12-31T23:59:59.999999Z"


Date = Annotated[dt.date, _FROM_STRING, _STRING_ONLY]
"""A calendar date: `"2030-01-31"` (`format: date`)."""
Time = Annotated[dt.time, _FROM_STRING, _STRING_ONLY]
"""A time of day: `"09:30:00"` (`format: time`)."""
AwareDatetime = Annotated[
    dt.datetime, _FROM_STRING, _STRING_ONLY, BeforeValidator(_iso_8601_moment), AfterValidator(_aware_utc)
]
"""A moment: `"2030-01-31T09:30:00Z"` or with an offset (`format: date-time`); one without an offset is refused
(which zone it meant is a guess). Stored and answered in UTC."""
Uuid = Annotated[uuid.UUID, _FROM_STRING, _STRING_ONLY]
"""A UUID as its canonical string (`format: uuid`)."""

_MONEY: Final = re.compile(r"^-?\d{1,13}(\.\d{1,2})?$")


def _money(value: object) -> object:
    if isinstance(value, Decimal):  # read back from a `Numeric` column: JSON never gives one
        return value
    if not isinstance(value, str):  # a JSON number is a binary float on most clients: money never travels as one
        raise ValueError('Money is sent as a string such as "12.50", never as a number')
    if not _MONEY.fullmatch(value):
        raise ValueError('Money is a decimal string with at most 2 decimals, such as "12.50"')
    return Decimal(value)


Money = Annotated[
    Decimal,
    BeforeValidator(_money),
    WithJsonSchema({"type": "string", "format": "decimal", "pattern": _MONEY.pattern, "examples": ["12.50"]}),
]
"""An exact amount as a decimal string with at most 2 decimals (`"12.50"`); a JSON number is refused."""

_EMAIL: Final = re.compile(r"^[^@\s\x00]{1,64}@[^@\s\x00]+\.[^@\s\x00]+$")


def _email(value: str) -> str:
    if len(value) > 320 or not _EMAIL.fullmatch(value):
        raise ValueError("Input should be an email address")
    return value


Email = Annotated[str, AfterValidator(_email), Field(max_length=320, json_schema_extra={"format": "email"})]
"""An email address as sent (`format: email`): one `@`, a dotted domain, no spaces, at most 320 characters."""


JsonEnum = Annotated[E, _FROM_STRING, _STRING_ONLY]
"""`JsonEnum[Status]`: a member of a string enum, sent as its value (`"draft"`); the schema lists the values."""
