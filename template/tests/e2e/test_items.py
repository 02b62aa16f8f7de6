"""The example resource end to end: create, read, revalidate, update, list and delete an item."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx
import pytest

from .checks import READ_CACHE_CONTROL, assert_problem, assert_security_headers

ITEMS = "/api/v1/items"
NOWHERE = "/api/v1/items/00000000-0000-4000-8000-000000000000"


def listed_ids(client: httpx.Client, *, most_pages: int = 50) -> set[str]:
    """The ids the list shows, page by page (the service may hold other items than the test's)."""
    ids: set[str] = set()
    for page in range(most_pages):
        listed = client.get(ITEMS, params={"limit": 100, "offset": page * 100})
        assert listed.status_code == 200, listed.text
        ids |= {item["id"] for item in listed.json()["items"]}
        if len(ids) >= listed.json()["total"]:
            break
    return ids


def test_items_crud(client: httpx.Client, new_item: dict[str, Any]) -> None:
    created = client.post(ITEMS, json=new_item)
    assert created.status_code == 201, created.text
    item_id = created.json()["id"]
    path = f"{ITEMS}/{item_id}"
    read = client.get(path)
    assert read.json()["name"] == new_item["name"]
    assert read.headers["etag"] == created.headers["etag"]
    renamed = f"{new_item['name']} renamed"
    assert client.put(path, json={**new_item, "name": renamed}).json()["name"] == renamed
    assert item_id in listed_ids(client)
    assert client.delete(path).status_code == 204
    assert_problem(client.get(path), 404)


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_matching_if_none_match_is_a_304_with_the_headers_of_the_200(
    client: httpx.Client, item_path: str, method: str
) -> None:
    tag = client.get(item_path).headers["etag"]
    read = client.request(method, item_path)
    assert read.status_code == 200
    assert read.headers["etag"] == tag
    assert_security_headers(read, cache_control=READ_CACHE_CONTROL)
    for header in (tag, f"W/{tag}", f'"0", {tag}', "*"):
        revalidated = client.request(method, item_path, headers={"If-None-Match": header})
        assert revalidated.status_code == 304, header
        assert revalidated.content == b""
        assert revalidated.headers["etag"] == tag
        assert_security_headers(revalidated, cache_control=READ_CACHE_CONTROL)
    assert client.patch(item_path, json={"price_cents": 1}).status_code == 200
    changed = client.request(method, item_path, headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != tag
    missing = client.request(method, NOWHERE, headers={"If-None-Match": "*"})
    assert missing.status_code == 404
    assert_security_headers(missing)


def test_a_write_is_not_stored_by_caches(client: httpx.Client, new_item: dict[str, Any]) -> None:
    created = client.post(ITEMS, json=new_item)
    assert created.status_code == 201, created.text
    assert_security_headers(created)  # no-store
    assert client.delete(f"{ITEMS}/{created.json()['id']}").status_code == 204
