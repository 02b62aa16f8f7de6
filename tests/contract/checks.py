"""Shared expectations of the contract: header values, problem+json shape, and the example item."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

ALLOWED_ORIGIN = "https://allowed.example"

SECURITY_HEADERS = {
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "cross-origin-embedder-policy": "require-corp",
    "x-permitted-cross-domain-policies": "none",
    "cache-control": "no-store, max-age=0",
    "x-xss-protection": "0",
}
READ_CACHE_CONTROL = "private, no-cache"
"""Resource reads (item and list GETs that succeed) are stored by the client and revalidated; nothing else is."""
PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance", "request_id"}
ITEM = {"name": "Contract kettle", "price_cents": 4990}


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body.keys() >= PROBLEM_FIELDS
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]
    assert isinstance(body["title"], str)
    assert body["title"]
    assert "Traceback" not in response.text
    return body


def port_of(base_url: str) -> int:
    port = httpx.URL(base_url).port
    assert port is not None
    return port


def assert_security_headers(
    response: httpx.Response, *, cache_control: str = SECURITY_HEADERS["cache-control"]
) -> None:
    for name, value in {**SECURITY_HEADERS, "cache-control": cache_control}.items():
        assert response.headers.get(name) == value, f"{name} on {response.request.method} {response.request.url}"
    assert "geolocation=()" in response.headers["permissions-policy"]
    assert "server" not in response.headers
    assert "x-powered-by" not in response.headers


def requires(answers: dict[str, Any], **wanted: Any) -> None:
    """Skip a check of an optional feature in the variants where that feature was not chosen.

    A wanted value may be a tuple of allowed values: `requires(answers, docs_ui=("scalar", "swagger"))`.
    """
    missing = {
        key: value
        for key, value in wanted.items()
        if not (answers.get(key) in value if isinstance(value, tuple) else answers.get(key) == value)
    }
    if missing:
        pytest.skip(f"not in this variant: {missing}")
