"""Health, the OpenAPI document, the headers of every response, request ids and problem+json errors."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest

from .checks import NO_STORE, READ_CACHE_CONTROL, assert_problem, assert_security_headers


def test_liveness(client: httpx.Client) -> None:
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness(client: httpx.Client) -> None:
    response = client.get("/health/ready")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ok"
    assert isinstance(response.json()["checks"], dict)


def test_health_summary(client: httpx.Client) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["environment"] in {"development", "test", "staging", "production"}
    assert body["version"]
    assert isinstance(body["checks"], dict)


def test_openapi_document(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {"/health/live", "/health/ready", "/api/v1/items", "/api/v1/items/{item_id}"} <= spec["paths"].keys()


@pytest.mark.parametrize("path", ["/health/live", "/health/ready", "/api/v1/items"])
def test_head_works_where_get_does(client: httpx.Client, path: str) -> None:
    response = client.head(path)
    assert response.status_code == 200
    assert response.content == b""
    assert_security_headers(response, cache_control=READ_CACHE_CONTROL if path.startswith("/api") else NO_STORE)


# --- headers on every response -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/health/live", {}, 200),
        ("GET", "/does/not/exist", {}, 404),
        ("DELETE", "/health/live", {}, 405),
        ("POST", "/api/v1/items", {"json": {"name": ""}}, 422),
        ("POST", "/api/v1/items", {"content": b"x" * 2_000_000, "headers": {"content-type": "application/json"}}, 413),
    ],
    ids=["200", "404", "405", "422", "413"],
)
def test_security_headers_on_every_status(
    client: httpx.Client, method: str, path: str, kwargs: dict[str, Any], status: int
) -> None:
    response = client.request(method, path, **kwargs)
    assert response.status_code == status
    assert_security_headers(response)


def test_timing_headers(client: httpx.Client) -> None:
    response = client.get("/health/live")
    assert re.fullmatch(r"app;dur=\d+(\.\d+)?", response.headers["server-timing"])
    assert float(response.headers["x-process-time"]) >= 0


# --- request ids ---------------------------------------------------------------------------------------------


def test_request_id_is_minted_as_uuid4(client: httpx.Client) -> None:
    response = client.get("/health/live")
    assert uuid.UUID(response.headers["x-request-id"]).version == 4
    assert response.headers["x-correlation-id"] == response.headers["x-request-id"]


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ({"X-Request-ID": "abc.DEF_123-z"}, "abc.DEF_123-z"),
        ({"X-Correlation-ID": "corr-only"}, "corr-only"),
        ({"X-Request-ID": "first", "X-Correlation-ID": "second"}, "first"),
        ({"X-Request-ID": "not valid!", "X-Correlation-ID": "fallback"}, "fallback"),
        ({"X-Request-ID": "x" * 128}, "x" * 128),
    ],
)
def test_caller_ids_are_echoed_when_valid(client: httpx.Client, sent: dict[str, str], expected: str) -> None:
    response = client.get("/health/live", headers=sent)
    assert response.headers["x-request-id"] == expected
    assert response.headers["x-correlation-id"] == expected


@pytest.mark.parametrize("bad", ["x" * 129, "sp ace", "semi;colon", 'quote"d', ""])
def test_invalid_ids_are_replaced(client: httpx.Client, bad: str) -> None:
    response = client.get("/health/live", headers={"X-Request-ID": bad})
    assert uuid.UUID(response.headers["x-request-id"]).version == 4


# --- errors --------------------------------------------------------------------------------------------------


def test_not_found_is_a_problem(client: httpx.Client) -> None:
    body = assert_problem(client.get("/nowhere", headers={"X-Request-ID": "e2e-not-found"}), 404)
    assert body["instance"] == "/nowhere"
    assert body["request_id"] == "e2e-not-found"


def test_method_not_allowed_is_a_problem_with_allow(client: httpx.Client) -> None:
    response = client.delete("/health/live")
    assert_problem(response, 405)
    assert "GET" in response.headers["allow"]


def test_malformed_json_is_a_400_problem(client: httpx.Client) -> None:
    response = client.post("/api/v1/items", content=b'{"name": ', headers={"content-type": "application/json"})
    assert_problem(response, 400)


def test_json_nested_2000_deep_is_a_400_problem(client: httpx.Client) -> None:
    body = b"[" * 2000 + b"]" * 2000  # 4 KB: far below the body limit, deeper than Python's recursion limit
    response = client.post("/api/v1/items", content=body, headers={"content-type": "application/json"})
    assert_problem(response, 400)


def test_validation_error_lists_fields(client: httpx.Client) -> None:
    body = assert_problem(client.post("/api/v1/items", json={"name": "", "price_cents": "free"}), 422)
    fields = {error["field"] for error in body["errors"]}
    assert any(field.endswith("name") for field in fields)
    assert any(field.endswith("price_cents") for field in fields)
    assert all(error["message"] for error in body["errors"])


def test_oversized_body_is_a_413_problem(client: httpx.Client) -> None:
    response = client.post("/api/v1/items", content=b"x" * 2_000_000, headers={"content-type": "application/json"})
    assert_problem(response, 413)


def test_chunked_body_over_the_limit_is_a_413_problem(client: httpx.Client) -> None:
    def two_mebibytes() -> Iterator[bytes]:  # a generator: sent chunked, with no Content-Length to check up front
        for _ in range(32):
            yield b"x" * 65536

    response = client.post("/api/v1/items", content=two_mebibytes(), headers={"content-type": "application/json"})
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in response.request.headers
    assert_problem(response, 413)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_is_a_415_problem(
    client: httpx.Client, new_item: dict[str, Any], content_type: str
) -> None:
    response = client.post(
        "/api/v1/items", content=json.dumps(new_item).encode(), headers={"content-type": content_type}
    )
    assert_problem(response, 415)
