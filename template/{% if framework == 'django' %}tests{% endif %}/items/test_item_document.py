"""The item schemas say which names the service takes: a name is trimmed and must keep a character, and the
documented pattern says so, so a client that checks the document before sending is never refused for it."""

from __future__ import annotations

import re

import pytest

from ..conftest import HTTPClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("schema", ["ItemIn", "ItemPatch"])
@pytest.mark.parametrize("name", ["\n", " \t ", "\x1c", "\x85\u3000", ""])
def test_a_blank_name_is_refused_and_documented_as_invalid(http: HTTPClient, schema: str, name: str) -> None:
    pattern = http.get("/openapi.json").json()["components"]["schemas"][schema]["properties"]["name"]["pattern"]
    assert re.search(pattern, name) is None
    response = http.post("/api/v1/items", json={"name": name, "price_cents": 100})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["body.name"]


@pytest.mark.parametrize("name", ["a", " padded ", "\ufeffzero-width no-break"])
def test_a_name_the_document_allows_is_taken(http: HTTPClient, name: str) -> None:
    pattern = http.get("/openapi.json").json()["components"]["schemas"]["ItemIn"]["properties"]["name"]["pattern"]
    assert re.search(pattern, name) is not None
    response = http.post("/api/v1/items", json={"name": name, "price_cents": 100})
    assert response.status_code == 201, response.text
