"""The event stream's AsyncAPI document (`core/asyncapi.py`, served at `/asyncapi.json` by every variant) is a valid
AsyncAPI 3 document, with and without authentication: checked against the specification's JSON schema, vendored in
tests/asyncapi/ (the rendered tests check that the service serves it)."""

from __future__ import annotations

import importlib.util
import json
import sys
import types
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

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


@pytest.mark.parametrize("authenticated", [True, False])
def test_the_event_stream_document_is_valid_asyncapi_3(authenticated: bool) -> None:
    document: dict[str, Any] = core_module("asyncapi").asyncapi_document(
        title="My Service", version="1.0.0", authenticated=authenticated
    )
    validator = jsonschema_rs.validator_for(json.loads(SCHEMA.read_text()))
    errors = [
        f"{'/'.join(map(str, error.instance_path))}: {error.message}" for error in validator.iter_errors(document)
    ]
    assert not errors, errors
    assert document["channels"]["events"]["address"] == "/api/v1/events"


def test_the_schema_catches_an_invalid_document() -> None:
    document = core_module("asyncapi").asyncapi_document(title="My Service", version="1.0.0", authenticated=True)
    document["operations"]["receiveEvents"]["action"] = "listen"  # neither send nor receive
    validator = jsonschema_rs.validator_for(json.loads(SCHEMA.read_text()))
    assert not validator.is_valid(document)
