"""The example resource through DRF's APIClient: the views, serializers, pagination and errors (the ASGI layers
around them are covered by test_http_behaviour)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from rest_framework.test import APIClient

ITEM = {"name": "Kettle", "description": "Gooseneck", "price_cents": 4990, "tags": ["kitchen"]}


def test_crud_round_trip(api_client: APIClient) -> None:
    created = api_client.post("/api/v1/items", ITEM, format="json")
    assert created.status_code == 201
    item = created.json()
    assert created.headers["Location"] == f"/api/v1/items/{item['id']}"
    assert {key: item[key] for key in ITEM} == ITEM
    assert item["created_at"].endswith("Z")

    assert api_client.get(f"/api/v1/items/{item['id']}").json() == item
    page = api_client.get("/api/v1/items").json()
    assert page["total"] == 1
    assert page["items"] == [item]

    replaced = api_client.put(f"/api/v1/items/{item['id']}", {**ITEM, "name": "Big kettle"}, format="json")
    assert replaced.status_code == 200
    assert replaced.json()["name"] == "Big kettle"
    assert replaced.json()["created_at"] == item["created_at"]

    deleted = api_client.delete(f"/api/v1/items/{item['id']}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert api_client.get(f"/api/v1/items/{item['id']}").status_code == 404


def test_pagination(api_client: APIClient) -> None:
    for index in range(5):
        api_client.post("/api/v1/items", {**ITEM, "name": f"item {index}"}, format="json")
    page = api_client.get("/api/v1/items", {"limit": 2, "offset": 3}).json()
    assert [item["name"] for item in page["items"]] == ["item 3", "item 4"]
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 3)


def test_invalid_paging_is_a_422(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/items", {"limit": 0})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.limit"


@pytest.mark.parametrize("method", ["get", "delete"])
def test_unknown_item_is_a_404_problem(api_client: APIClient, method: str) -> None:
    item_id = uuid.uuid4()
    response = getattr(api_client, method)(f"/api/v1/items/{item_id}")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == f"Item {item_id} does not exist"


def test_replace_unknown_item_is_a_404(api_client: APIClient) -> None:
    assert api_client.put(f"/api/v1/items/{uuid.uuid4()}", ITEM, format="json").status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**ITEM, "name": ""}, "body.name"),
        ({**ITEM, "name": "   "}, "body.name"),
        ({**ITEM, "name": 42}, "body.name"),  # strict: no number-to-string coercion
        ({**ITEM, "price_cents": "12"}, "body.price_cents"),  # strict: no string-to-int coercion
        ({**ITEM, "price_cents": True}, "body.price_cents"),
        ({**ITEM, "price_cents": 1.5}, "body.price_cents"),
        ({**ITEM, "price_cents": -1}, "body.price_cents"),
        ({**ITEM, "tags": ["Not A Tag"]}, "body.tags.0"),
        ({**ITEM, "tags": [7]}, "body.tags.0"),
        ({**ITEM, "tags": "kitchen"}, "body.tags"),
        ({**ITEM, "owner": "someone"}, "body.owner"),  # unknown fields are refused
        ({"name": "No price"}, "body.price_cents"),
        (["not", "an", "object"], "body"),
    ],
)
def test_invalid_items_are_422_problems(api_client: APIClient, payload: Any, field: str) -> None:
    response = api_client.post("/api/v1/items", payload, format="json")
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == 422
    assert field in [error["field"] for error in body["errors"]]


def test_integral_float_price_is_accepted(api_client: APIClient) -> None:
    response = api_client.post("/api/v1/items", {"name": "Cup", "price_cents": 12.0}, format="json")
    assert response.status_code == 201
    assert response.json()["price_cents"] == 12
    assert response.json()["tags"] == []


def test_invalid_path_id_is_a_422(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/items/not-a-uuid")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "path.item_id"


def test_invalid_put_body_is_a_422(api_client: APIClient) -> None:
    item = api_client.post("/api/v1/items", ITEM, format="json").json()
    response = api_client.put(f"/api/v1/items/{item['id']}", {"name": ""}, format="json")
    assert response.status_code == 422


def test_a_body_that_is_not_json_is_a_415_problem(api_client: APIClient) -> None:
    response = api_client.post("/api/v1/items", "name=Cup", content_type="text/plain")
    assert response.status_code == 415
    assert response.headers["Content-Type"] == "application/problem+json"


def test_a_nul_character_in_a_name_is_a_422(api_client: APIClient) -> None:
    response = api_client.post("/api/v1/items", {**ITEM, "name": "Cup\u0000"}, format="json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.name"


def test_a_body_nested_too_deeply_is_a_400_problem(api_client: APIClient) -> None:
    body = "[" * 2000 + "]" * 2000
    response = api_client.post("/api/v1/items", body, content_type="application/json")
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"


def test_a_trailing_slash_is_a_404_never_a_redirect(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/items/")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
