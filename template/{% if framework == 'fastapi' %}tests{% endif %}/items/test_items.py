from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ..conftest import Settings, create_app

ITEM = {"name": "Kettle", "description": "Gooseneck", "price_cents": 4990, "tags": ["kitchen"]}


def test_crud_round_trip(client: TestClient) -> None:
    created = client.post("/api/v1/items", json=ITEM)
    assert created.status_code == 201
    item = created.json()
    assert created.headers["location"] == f"/api/v1/items/{item['id']}"
    assert {key: item[key] for key in ITEM} == ITEM

    assert client.get(f"/api/v1/items/{item['id']}").json() == item
    page = client.get("/api/v1/items").json()
    assert page["total"] == 1
    assert page["items"] == [item]

    replaced = client.put(f"/api/v1/items/{item['id']}", json={**ITEM, "name": "Big kettle"})
    assert replaced.status_code == 200
    assert replaced.json()["name"] == "Big kettle"
    assert replaced.json()["created_at"] == item["created_at"]

    assert client.delete(f"/api/v1/items/{item['id']}").status_code == 204
    assert client.get(f"/api/v1/items/{item['id']}").status_code == 404


def test_pagination(client: TestClient) -> None:
    for index in range(5):
        client.post("/api/v1/items", json={**ITEM, "name": f"item {index}"})
    page = client.get("/api/v1/items", params={"limit": 2, "offset": 3}).json()
    assert [item["name"] for item in page["items"]] == ["item 3", "item 4"]
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 3)


@pytest.mark.parametrize("method", ["get", "delete"])
def test_unknown_item_is_a_404_problem(client: TestClient, method: str) -> None:
    item_id = uuid.uuid4()
    response = client.request(method.upper(), f"/api/v1/items/{item_id}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == f"Item {item_id} does not exist"


def test_replace_unknown_item_is_a_404(client: TestClient) -> None:
    assert client.put(f"/api/v1/items/{uuid.uuid4()}", json=ITEM).status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**ITEM, "name": ""}, "body.name"),
        ({**ITEM, "name": "   "}, "body.name"),
        ({**ITEM, "price_cents": "12"}, "body.price_cents"),  # strict: no string-to-int coercion
        ({**ITEM, "price_cents": -1}, "body.price_cents"),
        ({**ITEM, "tags": ["Not A Tag"]}, "body.tags.0"),
        ({**ITEM, "owner": "someone"}, "body.owner"),  # unknown fields are refused
        ({"name": "No price"}, "body.price_cents"),
    ],
)
def test_invalid_items_are_422_problems(client: TestClient, payload: dict[str, Any], field: str) -> None:
    response = client.post("/api/v1/items", json=payload)
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == 422
    assert field in [error["field"] for error in body["errors"]]


def test_invalid_path_id_is_a_422(client: TestClient) -> None:
    response = client.get("/api/v1/items/not-a-uuid")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "path.item_id"


def test_items_outlive_the_app_that_stored_them(settings: Settings, api_headers: dict[str, str]) -> None:
    """The database, not the process, holds the items: a new app on the same database (a restart) reads them."""
    with TestClient(create_app(settings), headers=api_headers) as first:
        created = first.post("/api/v1/items", json=ITEM).json()
    with TestClient(create_app(settings), headers=api_headers) as second:
        response = second.get(f"/api/v1/items/{created['id']}")
        listed = second.get("/api/v1/items").json()
    assert response.status_code == 200
    assert response.json() == created
    assert listed["total"] == 1


@pytest.mark.parametrize("method", ["POST", "PUT"])
@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "application/merge-patch+json", "application/jsonx"],
)
def test_a_body_that_is_not_json_is_a_415(client: TestClient, method: str, content_type: str | None) -> None:
    path = "/api/v1/items" if method == "POST" else f"/api/v1/items/{uuid.uuid4()}"
    headers = {"content-type": content_type} if content_type else {}
    response = client.request(method, path, content=json.dumps(ITEM).encode(), headers=headers)
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "The request body must be sent as application/json"


def test_json_with_parameters_is_json(client: TestClient) -> None:
    headers = {"content-type": "Application/JSON; charset=utf-8"}
    assert client.post("/api/v1/items", content=json.dumps(ITEM).encode(), headers=headers).status_code == 201


def test_no_body_at_all_is_a_422_not_a_415(client: TestClient) -> None:
    response = client.post("/api/v1/items", headers={"content-type": "text/plain"})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["body"]


@pytest.mark.parametrize("field", ["name", "description"])
def test_nul_characters_are_refused(client: TestClient, field: str) -> None:
    response = client.post("/api/v1/items", json={**ITEM, field: "before\x00after"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": f"body.{field}", "message": "Value error, Null characters are not allowed"}
    ]


def test_a_trailing_slash_is_another_path(client: TestClient) -> None:
    response = client.get("/api/v1/items/", follow_redirects=False)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_deeply_nested_json_is_a_400(client: TestClient) -> None:
    body = b"[" * 2000 + b"]" * 2000
    response = client.post("/api/v1/items", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


def test_status_and_availability_round_trip_as_json(client: TestClient) -> None:
    created = client.post(
        "/api/v1/items", json={**ITEM, "status": "active", "available_at": "2030-01-31T10:00:00+01:00"}
    )
    assert created.status_code == 201, created.text
    assert (created.json()["status"], created.json()["available_at"]) == ("active", "2030-01-31T09:00:00Z")
    assert client.get(f"/api/v1/items/{created.json()['id']}").json() == created.json()
    defaults = client.post("/api/v1/items", json=ITEM).json()
    assert (defaults["status"], defaults["available_at"]) == ("draft", None)
    patched = client.patch(f"/api/v1/items/{defaults['id']}", json={"status": "archived"})
    assert patched.json()["status"] == "archived"


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "sold"), ("status", None), ("available_at", "2030-01-31T10:00:00"), ("available_at", 1893456000)],
)
def test_a_status_or_date_json_cannot_mean_is_a_422(client: TestClient, field: str, value: object) -> None:
    response = client.post("/api/v1/items", json={**ITEM, field: value})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [f"body.{field}"]


def test_the_document_describes_the_status_and_the_date(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["ItemStatus"]["enum"] == ["draft", "active", "archived"]
    available_at = schemas["Item"]["properties"]["available_at"]
    assert {"type": "string", "format": "date-time"} in available_at["anyOf"]
