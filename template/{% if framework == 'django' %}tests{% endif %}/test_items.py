from __future__ import annotations

import uuid
from typing import Any

import pytest

from .conftest import Client

ITEM = {"name": "Kettle", "description": "Gooseneck", "price_cents": 4990, "tags": ["kitchen"]}


def test_crud_round_trip(client: Client) -> None:
    created = client.post("/api/v1/items", json=ITEM)
    assert created.status_code == 201
    item = created.json()
    assert created.headers["location"] == f"/api/v1/items/{item['id']}"
    assert {key: item[key] for key in ITEM} == ITEM
    assert item["created_at"].endswith("Z")

    assert client.get(f"/api/v1/items/{item['id']}").json() == item
    page = client.get("/api/v1/items").json()
    assert page["total"] == 1
    assert page["items"] == [item]

    replaced = client.put(f"/api/v1/items/{item['id']}", json={**ITEM, "name": "Big kettle"})
    assert replaced.status_code == 200
    assert replaced.json()["name"] == "Big kettle"
    assert replaced.json()["created_at"] == item["created_at"]

    deleted = client.delete(f"/api/v1/items/{item['id']}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert client.get(f"/api/v1/items/{item['id']}").status_code == 404


def test_pagination(client: Client) -> None:
    for index in range(5):
        client.post("/api/v1/items", json={**ITEM, "name": f"item {index}"})
    page = client.get("/api/v1/items", params={"limit": 2, "offset": 3}).json()
    assert [item["name"] for item in page["items"]] == ["item 3", "item 4"]
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 3)


def test_invalid_paging_is_a_422(client: Client) -> None:
    response = client.get("/api/v1/items", params={"limit": 0})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.limit"


@pytest.mark.parametrize("method", ["get", "delete"])
def test_unknown_item_is_a_404_problem(client: Client, method: str) -> None:
    item_id = uuid.uuid4()
    response = client.request(method.upper(), f"/api/v1/items/{item_id}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == f"Item {item_id} does not exist"


def test_replace_unknown_item_is_a_404(client: Client) -> None:
    assert client.put(f"/api/v1/items/{uuid.uuid4()}", json=ITEM).status_code == 404


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
def test_invalid_items_are_422_problems(client: Client, payload: Any, field: str) -> None:
    response = client.post("/api/v1/items", json=payload)
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == 422
    assert field in [error["field"] for error in body["errors"]]


def test_integral_float_price_is_accepted(client: Client) -> None:
    response = client.post("/api/v1/items", json={"name": "Cup", "price_cents": 12.0})
    assert response.status_code == 201
    assert response.json()["price_cents"] == 12
    assert response.json()["tags"] == []


def test_invalid_path_id_is_a_422(client: Client) -> None:
    response = client.get("/api/v1/items/not-a-uuid")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "path.item_id"


def test_invalid_put_body_is_a_422(client: Client) -> None:
    item = client.post("/api/v1/items", json=ITEM).json()
    response = client.put(f"/api/v1/items/{item['id']}", json={"name": ""})
    assert response.status_code == 422
