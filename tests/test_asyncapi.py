"""The event stream's AsyncAPI document (`core/asyncapi.py`, served at `/asyncapi.json` by every variant) is a valid
AsyncAPI 3 document, with and without authentication, and with the event types a domain declares
(core/domain_events.py): checked against the specification's JSON schema, vendored in tests/asyncapi/ (the rendered
tests check that the service serves it, with the events its domains declare)."""

from __future__ import annotations

import importlib.util
import json
import sys
import types
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from pydantic import BaseModel, Field

from .conftest import REPO_ROOT

SCHEMA = Path(__file__).parent / "asyncapi" / "asyncapi-3.0.0.schema.json"
CORE = REPO_ROOT / "template" / "src" / "{{package_name}}" / "core"


def core_module(name: str) -> types.ModuleType:
    """A module of the shared core, loaded from the template as a package of its own (it imports its siblings)."""
    package = "asyncapi_core"
    if package not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            package, CORE / "__init__.py", submodule_search_locations=[str(CORE)]
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[package] = module
        spec.loader.exec_module(module)
    return importlib.import_module(f"{package}.{name}")


class Seating(StrEnum):
    INSIDE = "inside"
    TERRACE = "terrace"


class BookingConfirmed(BaseModel):
    starts_at: datetime
    seating: Seating = Field(description="Where the party sits")


def booking_confirmed() -> Any:
    """A domain's own event type, as `bookings/events.py` declares it (its payload refers to a schema of its own)."""
    declared = core_module("domain_events").DomainEvent
    return declared("bookings.confirmed", BookingConfirmed, summary="A booking was confirmed")


def errors_of(document: dict[str, Any]) -> list[str]:
    validator = jsonschema_rs.validator_for(json.loads(SCHEMA.read_text()))
    return [f"{'/'.join(map(str, error.instance_path))}: {error.message}" for error in validator.iter_errors(document)]


@pytest.mark.parametrize("authenticated", [True, False])
def test_the_event_stream_document_is_valid_asyncapi_3(authenticated: bool) -> None:
    document: dict[str, Any] = core_module("asyncapi").asyncapi_document(
        title="My Service", version="1.0.0", authenticated=authenticated, events=()
    )
    assert not errors_of(document)
    assert document["channels"]["events"]["address"] == "/api/v1/events"


@pytest.mark.parametrize("authenticated", [True, False])
def test_a_domains_own_event_is_listed_with_its_payload_and_the_document_stays_valid(authenticated: bool) -> None:
    document: dict[str, Any] = core_module("asyncapi").asyncapi_document(
        title="My Service", version="1.0.0", authenticated=authenticated, events=[booking_confirmed()]
    )
    assert not errors_of(document)
    message = document["components"]["messages"]["bookings.confirmed"]
    assert message["summary"] == "A booking was confirmed"
    assert message["payload"]["required"] == ["type", "id", "starts_at", "seating"]
    assert message["payload"]["properties"]["type"] == {"const": "bookings.confirmed"}
    assert message["payload"]["properties"]["seating"]["$ref"] == "#/components/schemas/Seating"
    assert document["components"]["schemas"]["Seating"]["enum"] == ["inside", "terrace"]
    received = document["operations"]["receiveEvents"]["messages"]
    assert {"$ref": "#/channels/events/messages/bookings.confirmed"} in received
    assert document["channels"]["events"]["messages"]["bookings.confirmed"] == {
        "$ref": "#/components/messages/bookings.confirmed"
    }


def test_the_schema_catches_an_invalid_document() -> None:
    document = core_module("asyncapi").asyncapi_document(
        title="My Service", version="1.0.0", authenticated=True, events=()
    )
    document["operations"]["receiveEvents"]["action"] = "listen"  # neither send nor receive
    validator = jsonschema_rs.validator_for(json.loads(SCHEMA.read_text()))
    assert not validator.is_valid(document)
