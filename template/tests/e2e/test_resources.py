"""Every resource of the API, as its OpenAPI document describes it (resources.py): create from each documented
request example, read, list, update from the documented patch example with `If-Match`, delete; and, for resources
whose records belong to a caller, a second caller that neither sees nor changes the first one's records."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest

from .checks import assert_problem
from .resources import LIST_ENVELOPE, Resource, same_value

MOST_PAGES = 50
# What may differ between two answers of the same problem to two requests.
PER_REQUEST = {"request_id", "instance"}


def needs_scopes(resource: Resource, granted: frozenset[str] | None) -> None:
    """Skip, saying why, when the run's caller lacks a scope the resource declares (a 403 would then be right)."""
    missing = sorted(resource.scopes - granted) if granted is not None else []
    if missing:
        pytest.skip(f"{resource.collection} needs {', '.join(missing)}, which the caller of this run does not hold")


def listed_ids(client: httpx.Client, resource: Resource) -> set[str]:
    """The ids the resource's list shows, page by page, each page in the envelope every list answers."""
    ids: set[str] = set()
    limit = resource.page_limit
    for page in range(MOST_PAGES):
        listed = client.get(resource.collection, params={"limit": limit, "offset": page * limit})
        assert listed.status_code == 200, f"GET {resource.collection}: {listed.text}"
        envelope = listed.json()
        assert envelope.keys() == LIST_ENVELOPE, f"GET {resource.collection} answered {sorted(envelope)}"
        assert (envelope["limit"], envelope["offset"]) == (limit, page * limit)
        ids |= {record["id"] for record in envelope["items"]}
        if not envelope["items"] or len(ids) >= envelope["total"]:
            break
    return ids


def assert_holds(resource: Resource, sent: dict[str, Any], record: dict[str, Any], what: str) -> None:
    """The record shows every field sent that its schema returns (a password, say, is never returned)."""
    properties = resource.record_schema.get("properties", {})
    differ = {
        name: (value, record.get(name))
        for name, value in sent.items()
        if name in properties and not same_value(value, record.get(name), properties[name])
    }
    assert not differ, f"{what}: sent and read back differ {differ}"


def if_match(response: httpx.Response) -> dict[str, str]:
    return {"If-Match": response.headers["etag"]} if "etag" in response.headers else {}


@pytest.fixture
def record_path(
    client: httpx.Client, resource: Resource, granted_scopes: frozenset[str] | None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """A record of the run's caller, created from the resource's first create example and deleted afterwards."""
    needs_scopes(resource, granted_scopes)
    body = resource.new_record()
    created = client.post(resource.collection, json=body)
    assert created.status_code == 201, f"POST {resource.collection}: {created.text}"
    path = resource.item(created.json()["id"])
    yield path, body
    client.delete(path, headers=if_match(client.get(path)))


def test_the_api_has_resources_to_check(resource: Resource) -> None:
    assert resource.create_examples, f"POST {resource.collection} documents no named request example to create from"
    assert resource.record_schema.get("properties"), f"GET {resource.item_template} documents no record schema"


def test_each_documented_example_creates_a_record_that_reads_lists_updates_and_deletes(
    client: httpx.Client, resource: Resource, granted_scopes: frozenset[str] | None
) -> None:
    needs_scopes(resource, granted_scopes)
    for example in resource.create_examples:
        what = f"{resource.collection}, the {example!r} example"
        body = resource.new_record(example)
        created = client.post(resource.collection, json=body)
        assert created.status_code == 201, f"create {what}: {created.text}"
        path = resource.item(created.json()["id"])
        deleted = False
        try:
            read = client.get(path)
            assert read.status_code == 200, f"read {what}: {read.text}"
            assert read.json()["id"] == created.json()["id"], f"read {what} answered another record"
            assert_holds(resource, body, read.json(), f"read {what}")
            assert created.json()["id"] in listed_ids(client, resource), f"the list of {resource.collection}"

            change = resource.patch()
            patched = client.patch(path, json=change, headers=if_match(read))
            assert patched.status_code == 200, f"update {what}: {patched.text}"
            assert_holds(resource, change, patched.json(), f"update {what}")
            assert_holds(resource, change, client.get(path).json(), f"read {what} after its update")
            if "etag" in read.headers and change:
                assert patched.headers["etag"] != read.headers["etag"], f"update {what} kept its ETag"
                stale = client.patch(path, json=change, headers=if_match(read))
                assert_problem(stale, 412)

            if resource.can_replace:
                replacement = resource.new_record(example)
                replaced = client.put(path, json=replacement, headers=if_match(client.get(path)))
                assert replaced.status_code == 200, f"replace {what}: {replaced.text}"
                assert_holds(resource, replacement, client.get(path).json(), f"read {what} after its replacement")

            removed = client.delete(path, headers=if_match(client.get(path)))
            deleted = removed.status_code == 204
            assert deleted, f"delete {what}: {removed.status_code} {removed.text}"
            assert_problem(client.get(path), 404)
            assert created.json()["id"] not in listed_ids(client, resource), f"{what} is still listed once deleted"
        finally:
            if not deleted:
                client.delete(path, headers=if_match(client.get(path)))


def same_answer(problem: dict[str, Any], record_id: str) -> dict[str, Any]:
    """A 404 as it would read for any id: what differs per request left out, the id asked for (in `detail`, say)
    written as `{id}`."""
    return {
        name: value.replace(record_id, "{id}") if isinstance(value, str) else value
        for name, value in problem.items()
        if name not in PER_REQUEST
    }


def test_another_caller_neither_sees_nor_changes_a_record(
    client: httpx.Client, resource: Resource, request: pytest.FixtureRequest
) -> None:
    if not resource.owned:
        pytest.skip(f"{resource.collection}: its records belong to no caller (its schema has no owner_id)")
    path, _ = request.getfixturevalue("record_path")
    other: httpx.Client = request.getfixturevalue("other_client")
    held: frozenset[str] | None = request.getfixturevalue("other_granted_scopes")
    if held is not None:
        lacking = sorted(resource.scopes - held)
        if lacking:  # it would get a 403 for want of a scope, which says nothing about ownership
            pytest.skip(f"{resource.collection} needs {', '.join(lacking)}, which the second caller does not hold")
        admin = f"{resource.name}:admin"
        assert admin not in held, f"the second caller holds {admin}, which acts on every record: give it another token"
    mine = client.get(path)
    assert mine.status_code == 200, mine.text
    missing_id = str(uuid.uuid4())
    expected = same_answer(assert_problem(other.get(resource.item(missing_id)), 404), missing_id)
    record_id = mine.json()["id"]

    answers = {
        "read": other.get(path),
        "revalidate": other.get(path, headers={"If-None-Match": mine.headers.get("etag", "*")}),
        "update": other.patch(path, json=resource.patch(), headers=if_match(mine)),
        "delete": other.delete(path, headers=if_match(mine)),
    }
    for operation, answer in answers.items():
        assert answer.status_code == 404, f"{operation} of another caller's record: {answer.status_code} {answer.text}"
        same = same_answer(assert_problem(answer, 404), record_id)
        assert same == expected, f"{operation} of another's record: not the answer to a record that does not exist"
    assert record_id not in listed_ids(other, resource), f"another caller's list of {resource.collection} shows it"

    still = client.get(path)
    assert still.status_code == 200, "the other caller's delete removed the record"
    assert still.headers.get("etag") == mine.headers.get("etag"), "the other caller's update changed the record"
    assert still.json() == mine.json()
