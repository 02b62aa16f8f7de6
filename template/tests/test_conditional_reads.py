"""Cacheable reads, through a real service process: an item read carries its `ETag` and `Cache-Control: private,
no-cache`, and a matching `If-None-Match` gets 304 without a body and with the same headers; every other API answer
stays `no-store`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx2 as httpx
import pytest

from .processes import start_service

pytestmark = pytest.mark.server

ITEMS = "/api/v1/items"
ITEM = {"name": "Kettle", "price_cents": 4990}
READ = "private, no-cache"
NO_STORE = "no-store, max-age=0"


@pytest.fixture(scope="module")
def api() -> Iterator[httpx.Client]:
    service = start_service({"RATE_LIMIT_ENABLED": "false"})
    try:
        with service.client() as client:
            yield client
    finally:
        service.stop()


@pytest.fixture
def item(api: httpx.Client) -> httpx.Response:
    created = api.post(ITEMS, json=ITEM)
    assert created.status_code == 201, created.text
    return created


def path_of(item: httpx.Response) -> str:
    return f"{ITEMS}/{item.json()['id']}"


def test_a_read_is_stored_by_the_client_and_revalidated(api: httpx.Client, item: httpx.Response) -> None:
    read = api.get(path_of(item))
    assert read.status_code == 200
    assert read.headers["cache-control"] == READ
    assert read.headers["etag"] == item.headers["etag"]
    assert api.get(ITEMS).headers["cache-control"] == READ


@pytest.mark.parametrize("form", ["same", "weak", "list", "star"])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_matching_if_none_match_is_a_304_with_the_read_headers(
    api: httpx.Client, item: httpx.Response, form: str, method: str
) -> None:
    tag = item.headers["etag"]
    header = {"same": tag, "weak": f"W/{tag}", "list": f'"elsewhere", W/"x,y", {tag}', "star": "*"}[form]
    fresh = api.request(method, path_of(item))
    response = api.request(method, path_of(item), headers={"If-None-Match": header})
    assert response.status_code == 304, response.text
    assert response.content == b""
    assert response.headers["etag"] == tag
    assert response.headers["cache-control"] == READ
    # The 304 stands in for the 200: the headers a cache keeps with the copy are the same.
    for name in ("etag", "cache-control", "x-content-type-options", "content-security-policy"):
        assert response.headers[name] == fresh.headers[name], name


def test_a_copy_older_than_the_last_write_gets_the_new_item(api: httpx.Client, item: httpx.Response) -> None:
    old = item.headers["etag"]
    written = api.patch(path_of(item), json={"price_cents": 100})
    assert written.status_code == 200, written.text
    response = api.get(path_of(item), headers={"If-None-Match": old})
    assert response.status_code == 200
    assert response.json()["price_cents"] == 100
    assert response.headers["etag"] == written.headers["etag"] != old
    assert api.get(path_of(item), headers={"If-None-Match": f'"elsewhere", W/{old}'}).status_code == 200


def test_if_none_match_of_an_item_that_does_not_exist_is_a_404(api: httpx.Client) -> None:
    response = api.get(f"{ITEMS}/{uuid.uuid4()}", headers={"If-None-Match": "*"})
    assert response.status_code == 404
    assert response.headers["cache-control"] == NO_STORE


def test_everything_but_a_read_stays_no_store(api: httpx.Client, item: httpx.Response) -> None:
    answers = {
        "create": item,
        "replace": api.put(path_of(item), json={**ITEM, "name": "Big kettle"}),
        "update": api.patch(path_of(item), json={"price_cents": 1}),
        "invalid id": api.get(f"{ITEMS}/not-a-uuid"),
        "invalid page": api.get(ITEMS, params={"limit": 1000}),
        "unknown item": api.get(f"{ITEMS}/{uuid.uuid4()}"),
        "health": api.get("/health/live"),
        "delete": api.delete(path_of(item)),
    }
    wrong = {name: response.headers.get("cache-control") for name, response in answers.items()}
    assert wrong == dict.fromkeys(answers, NO_STORE)


# Compressed answers (core/middleware/compression.py) through the service: the list and a large item go gzipped to a
# client that asks, and the compressed copy's tag works in If-None-Match and If-Match like the route's own.
LARGE_ITEM = {**ITEM, "description": "A kettle that boils water. " * 36}  # about 1.3 kB of JSON: over the threshold


def test_a_large_read_is_gzipped_for_a_client_that_asks(api: httpx.Client) -> None:
    for _ in range(3):
        assert api.post(ITEMS, json=LARGE_ITEM).status_code == 201
    page = api.get(ITEMS, params={"limit": 100}, headers={"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in page.headers["vary"]
    assert int(page.headers["content-length"]) < len(page.content) / 2  # httpx decoded it: the JSON is whole
    assert len(page.json()["items"]) >= 3
    plain = api.get(ITEMS, params={"limit": 100}, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["vary"]
    assert plain.json() == page.json()


def test_the_tag_of_a_gzipped_item_works_in_conditional_requests(api: httpx.Client) -> None:
    created = api.post(ITEMS, json=LARGE_ITEM)
    path = path_of(created)
    read = api.get(path, headers={"Accept-Encoding": "gzip"})
    assert read.headers["content-encoding"] == "gzip"
    tag = read.headers["etag"]
    assert tag == created.headers["etag"][:-1] + '+gzip"'  # another representation, another strong tag
    unchanged = api.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": tag})
    assert unchanged.status_code == 304
    assert unchanged.headers["etag"] == tag
    written = api.patch(path, json={"price_cents": 5}, headers={"If-Match": tag})
    assert written.status_code == 200, written.text
    assert api.patch(path, json={"price_cents": 6}, headers={"If-Match": tag}).status_code == 412  # now stale


def test_a_write_answer_is_never_compressed(api: httpx.Client) -> None:
    created = api.post(ITEMS, json=LARGE_ITEM, headers={"Accept-Encoding": "gzip"})
    assert created.status_code == 201
    assert len(created.content) > 1024
    assert "content-encoding" not in created.headers
