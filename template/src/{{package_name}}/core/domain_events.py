"""A domain's own event types, beyond the `created`/`updated`/`deleted` every write of a record publishes
(core/events.py): `bookings.confirmed`, `deployments.progressed`, each with a payload of its own.

A domain declares one in its own `events.py`, beside its models, and nothing else names it:

    class BookingConfirmed(BaseModel):
        starts_at: datetime

    BOOKING_CONFIRMED = DomainEvent("bookings.confirmed", BookingConfirmed, summary="A booking was confirmed")

- Found by declaration: `declared_events()` reads every `<domain>/events.py` of the service, and the AsyncAPI
  document (core/asyncapi.py) lists each event with its payload's schema. A type is `<domain>.<event>`, named after
  the folder that declares it, so two domains never declare the same one.
- Recorded with one call in the write's transaction (the framework's api/events.py says which), and published as a
  record's change is: to the record's owner only, once the transaction has committed, never when it rolls back.
- What a client receives: `{"type": "bookings.confirmed", "id": "<the record's id>", ...the payload's fields}`.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Generic, TypeVar, get_args

from pydantic import BaseModel

from .events import Change, Event

PayloadT = TypeVar("PayloadT", bound=BaseModel)

EVENTS_MODULE: Final = "events"
"""The module of a domain's package that declares its event types."""
EVENT_TYPE: Final = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
ENVELOPE_FIELDS: Final = frozenset({"type", "id"})
"""What every event carries: a payload field of either name would be overwritten on the wire."""
SERVICE_PACKAGE: Final = __package__.rpartition(".")[0] if __package__ else ""


@dataclass(frozen=True, slots=True)
class DomainEvent(Generic[PayloadT]):
    """One event type of a domain: its name (`<domain>.<event>`, the `type` its events carry), the shape of its
    payload, and what it means."""

    name: str
    payload: type[PayloadT]
    summary: str

    def __post_init__(self) -> None:
        if not EVENT_TYPE.match(self.name):
            raise ValueError(f"event type {self.name!r}: write it `<domain>.<event>`, lowercase (`bookings.confirmed`)")
        if self.name.partition(".")[2] in get_args(Change):
            raise ValueError(f"event type {self.name!r}: every write publishes it already (core/events.py)")
        if reserved := sorted(ENVELOPE_FIELDS & set(self.payload.model_fields)):
            raise ValueError(f"event type {self.name!r}: its payload may not have the field(s) {reserved}")

    @property
    def domain(self) -> str:
        return self.name.partition(".")[0]

    def event(self, owner: str | None, record_id: object, payload: PayloadT) -> Event:
        """The event about one record of the domain, for the record's owner (`owner_id`; None: nobody's)."""
        if not isinstance(payload, self.payload):
            raise TypeError(f"{self.name} carries a {self.payload.__name__}, not a {type(payload).__name__}")
        return Event(owner, {"type": self.name, "id": str(record_id), **payload.model_dump(mode="json")})

    def message_payload(self, ref_template: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The JSON schema of what a client receives, and the schemas it refers to (by `ref_template`)."""
        schema = self.payload.model_json_schema(ref_template=ref_template, mode="serialization")
        definitions = schema.pop("$defs", {})
        properties = {
            "type": {"const": self.name},
            "id": {"type": "string", "description": "The id of the record the event is about"},
            **schema.get("properties", {}),
        }
        message = {**schema, "required": ["type", "id", *schema.get("required", [])], "properties": properties}
        return message, definitions


@functools.cache
def declared_events(package: str = SERVICE_PACKAGE) -> tuple[DomainEvent[Any], ...]:
    """Every event type the domains of `package` declare, each in its own `<domain>/events.py`, in type order.

    A package with no `events.py` declares none. A type named after a domain with no `events.py`, or declared twice,
    stops the start: a domain's events live in its own folder, and each type means one thing."""
    found: dict[str, DomainEvent[Any]] = {}
    declaring: set[str] = set()
    for location in importlib.import_module(package).__path__:
        for domain in pkgutil.iter_modules([location]):
            if not domain.ispkg or not _has_events_module(Path(location, domain.name)):
                continue
            declaring.add(domain.name)
            module = importlib.import_module(f"{package}.{domain.name}.{EVENTS_MODULE}")
            for declared in vars(module).values():  # a type another domain declares may be imported here too
                if isinstance(declared, DomainEvent) and found.setdefault(declared.name, declared) is not declared:
                    raise ValueError(f"{module.__name__} declares {declared.name!r} a second time")
    for declared in found.values():
        if declared.domain not in declaring:
            raise ValueError(f"{declared.name!r}: declare it in {declared.domain}/{EVENTS_MODULE}.py")
    return tuple(found[name] for name in sorted(found))


def _has_events_module(directory: Path) -> bool:
    return any(module.name == EVENTS_MODULE for module in pkgutil.iter_modules([str(directory)]))
