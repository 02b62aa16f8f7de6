"""Rate limiting as the contract states it: per client, problem+json 429 with Retry-After, X-RateLimit-* headers
on limited routes, health never limited, 429 documented. Skipped in variants without `rate_limiting`."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from ..bearer import as_client as client_headers
from ..conftest import RenderedProject
from .checks import ALLOWED_ORIGIN, ITEM, assert_problem, assert_security_headers, requires

pytestmark = pytest.mark.slow

LIMIT_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def test_limited_routes_send_rate_limit_headers(contract_project: RenderedProject, client: httpx.Client) -> None:
    requires(contract_project.answers, rate_limiting=True)
    first = client.get("/api/v1/items", headers=client_headers("203.0.113.50", auth=contract_project.answers["auth"]))
    second = client.get(
        f"/api/v1/items/{uuid.uuid4()}", headers=client_headers("203.0.113.50", auth=contract_project.answers["auth"])
    )
    assert first.status_code == 200
    assert second.status_code == 404
    for response in (first, second):
        assert all(response.headers[name].isdigit() for name in LIMIT_HEADERS)
    assert int(second.headers["x-ratelimit-remaining"]) == int(first.headers["x-ratelimit-remaining"]) - 1


def test_browsers_on_allowed_origins_may_read_the_limit_headers(
    contract_project: RenderedProject, client: httpx.Client
) -> None:
    requires(contract_project.answers, rate_limiting=True)
    response = client.get(
        "/api/v1/items",
        headers={"Origin": ALLOWED_ORIGIN, **client_headers("203.0.113.52", auth=contract_project.answers["auth"])},
    )
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    exposed = {name.strip().lower() for name in response.headers["access-control-expose-headers"].split(",")}
    assert exposed >= {*LIMIT_HEADERS, "retry-after", "x-request-id"}


def test_health_is_never_limited(contract_project: RenderedProject, client: httpx.Client) -> None:
    requires(contract_project.answers, rate_limiting=True)
    for path in ("/health/live", "/health/ready", "/health"):
        response = client.get(path, headers=client_headers("203.0.113.51", auth=contract_project.answers["auth"]))
        assert not any(name in response.headers for name in LIMIT_HEADERS), path


def test_too_many_requests_is_a_problem_with_retry_after(
    contract_project: RenderedProject, client: httpx.Client
) -> None:
    requires(contract_project.answers, rate_limiting=True)
    headers = client_headers("203.0.113.52", auth=contract_project.answers["auth"])
    statuses = []
    for _ in range(200):  # more than any default limit the template ships (writes: 30/minute)
        response = client.post("/api/v1/items", json=ITEM, headers=headers)
        statuses.append(response.status_code)
        if response.status_code == 429:
            break
    assert statuses[-1] == 429, "no limit was reached"
    assert set(statuses[:-1]) == {201}
    assert_problem(response, 429)
    assert_security_headers(response)
    assert int(response.headers["retry-after"]) >= 1
    assert response.headers["x-ratelimit-remaining"] == "0"
    other = client.post(
        "/api/v1/items", json=ITEM, headers=client_headers("203.0.113.53", auth=contract_project.answers["auth"])
    )
    assert other.status_code == 201, "another client is not affected"


def test_429_is_documented_on_every_api_operation(contract_project: RenderedProject, client: httpx.Client) -> None:
    requires(contract_project.answers, rate_limiting=True)
    spec: dict[str, Any] = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            documented = operation["responses"].get("429")
            if not path.startswith("/api/"):
                assert documented is None, f"{method.upper()} {path} is never limited"
                continue
            assert documented is not None, f"{method.upper()} {path}"
            media = documented["content"]["application/problem+json"]
            # One `example`, or named `examples` (drf-spectacular's form): either shows in the docs UI.
            examples = (
                [media["example"]] if "example" in media else [named["value"] for named in media["examples"].values()]
            )
            assert examples
            assert all(example["status"] == 429 for example in examples)


def test_without_rate_limiting_nothing_is_limited(contract_project: RenderedProject, client: httpx.Client) -> None:
    requires(contract_project.answers, rate_limiting=False)
    responses = [client.post("/api/v1/items", json=ITEM) for _ in range(40)]
    assert {response.status_code for response in responses} == {201}
    assert not any(name in responses[-1].headers for name in LIMIT_HEADERS)


@pytest.mark.parametrize(
    "forwarded",
    [
        "s{i}, 192.0.2.7",  # a made-up entry left of a real address
        "192.0.2.8, s{i}",  # a made-up entry as the nearest hop: what a proxy-trusting server would pick
        "s{i}",
        "x" * 2000 + "{i}",  # an unbounded key, if it became one
    ],
    ids=["name-then-address", "address-then-name", "name-only", "long-name"],
)
def test_forwarded_entries_that_are_not_addresses_never_become_the_identity(
    contract_project: RenderedProject, client: httpx.Client, forwarded: str
) -> None:
    """The peer (127.0.0.1) is a trusted proxy, so its X-Forwarded-For counts; an entry there that is not an IP
    address must not become the client's identity, or every request could claim a fresh budget."""
    requires(contract_project.answers, rate_limiting=True)

    def post(index: int) -> httpx.Response:
        return client.post("/api/v1/items", json=ITEM, headers={"X-Forwarded-For": forwarded.format(i=index)})

    first = post(0)
    limit = int(first.headers.get("x-ratelimit-limit", "200"))
    statuses = [first.status_code] + [post(index).status_code for index in range(1, limit + 1)]
    assert 429 in statuses, f"{limit + 1} requests with a fresh X-Forwarded-For each, none limited"
    assert set(statuses) <= {201, 429}
