"""Middleware behaviour in process: headers, ids, errors, body limit, HEAD, CORS, access log.

Requests go through the whole ASGI application (`http` and `http_for` come from conftest.py).
"""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest

from .conftest import HTTPClient, HTTPClientFactory, access_lines
from .e2e.checks import assert_problem, assert_security_headers


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/health/live", 200), ("GET", "/nowhere", 404), ("GET", "/api/v1/debug/error", 500)],
)
def test_security_headers_on_every_response(http: HTTPClient, method: str, path: str, status: int) -> None:
    response = http.request(method, path)
    assert response.status_code == status
    assert_security_headers(response)
    assert "strict-transport-security" not in response.headers


def test_hsts_and_no_debug_route_in_production(http_for: HTTPClientFactory) -> None:
    http = http_for(environment="production")
    assert http.get("/health/live").headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"
    assert http.get("/api/v1/debug/error").status_code == 404


def test_request_id_is_generated_as_uuid4(http: HTTPClient) -> None:
    response = http.get("/health/live")
    request_id = response.headers["x-request-id"]
    assert uuid.UUID(request_id).version == 4
    assert response.headers["x-correlation-id"] == request_id


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"X-Request-ID": "abc.DEF_123-x"}, "abc.DEF_123-x"),
        ({"X-Correlation-ID": "from-correlation"}, "from-correlation"),
        ({"X-Request-ID": "wins", "X-Correlation-ID": "loses"}, "wins"),
        ({"X-Request-ID": "bad id!", "X-Correlation-ID": "good-one"}, "good-one"),
        ({"X-Request-ID": "a" * 128}, "a" * 128),
    ],
)
def test_caller_request_id_is_echoed_when_valid(http: HTTPClient, headers: dict[str, str], expected: str) -> None:
    response = http.get("/health/live", headers=headers)
    assert response.headers["x-request-id"] == expected
    assert response.headers["x-correlation-id"] == expected


@pytest.mark.parametrize("bad", ["a" * 129, "has space", "semi;colon", "ünïcode"])
def test_invalid_request_id_is_replaced(http: HTTPClient, bad: str) -> None:
    response = http.get("/health/live", headers={b"X-Request-ID": bad.encode()})
    assert response.headers["x-request-id"] != bad
    assert uuid.UUID(response.headers["x-request-id"]).version == 4


def test_timing_headers(http: HTTPClient) -> None:
    response = http.get("/health/live")
    assert response.headers["server-timing"].startswith("app;dur=")
    assert float(response.headers["x-process-time"]) >= 0


def test_unhandled_error_is_a_problem_with_request_id(http: HTTPClient) -> None:
    body = assert_problem(http.get("/api/v1/debug/error", headers={"X-Request-ID": "trace-me"}), 500)
    assert body["request_id"] == "trace-me"
    assert body["instance"] == "/api/v1/debug/error"
    assert "Deliberate" not in body["detail"]  # ENVIRONMENT=test: no exception text


def test_development_shows_the_exception_but_no_trace(http_for: HTTPClientFactory) -> None:
    body = http_for(environment="development").get("/api/v1/debug/error").json()
    assert body["detail"] == "DeliberateError: Deliberate failure from /api/v1/debug/error"


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/nowhere", {}, 404),
        ("DELETE", "/health/live", {}, 405),
        ("POST", "/api/v1/items", {"content": b"{not json", "headers": {"content-type": "application/json"}}, 400),
        ("POST", "/api/v1/items", {"json": {}}, 422),
    ],
)
def test_errors_are_problem_json(http: HTTPClient, method: str, path: str, kwargs: dict[str, Any], status: int) -> None:
    assert_problem(http.request(method, path, **kwargs), status)


def test_405_has_the_allow_header_and_other_responses_do_not(http: HTTPClient) -> None:
    assert http.delete("/health/live").headers["allow"] == "GET, HEAD"
    assert http.post(f"/api/v1/items/{uuid.uuid4()}").headers["allow"] == "DELETE, GET, PATCH, PUT, HEAD"
    assert "allow" not in http.get("/health/live").headers


def test_any_accept_header_gets_json(http: HTTPClient) -> None:
    response = http.get("/health/live", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_body_over_limit_is_413(http_for: HTTPClientFactory) -> None:
    limit = 4096
    http = http_for(max_body_size=limit)
    response = http.post("/api/v1/items", content=b"x" * (limit + 1), headers={"content-type": "application/json"})
    assert_problem(response, 413)
    assert_security_headers(response)


def test_head_works_where_get_does(http: HTTPClient, access_log: io.StringIO) -> None:
    response = http.head("/health/live")
    assert response.status_code == 200
    assert response.headers["x-frame-options"] == "DENY"
    line = access_lines(access_log)[-1]
    assert (line["method"], line["route"], line["status"]) == ("HEAD", "/health/live", 200)


def test_one_access_line_per_request(http: HTTPClient, access_log: io.StringIO) -> None:
    created = http.post("/api/v1/items", json={"name": "x", "price_cents": 1}).json()
    http.get(f"/api/v1/items/{created['id']}", headers={"X-Request-ID": "line-check"})
    lines = access_lines(access_log)
    assert len(lines) == 2
    line = lines[-1]
    assert line["request_id"] == "line-check"
    assert line["route"] == "/api/v1/items/{item_id}"
    assert line["path"] == f"/api/v1/items/{created['id']}"
    assert (line["method"], line["status"], line["level"], line["message"]) == ("GET", 200, "INFO", "request")
    assert line["client"]  # the peer address (the test client names itself)


def test_unmatched_route_is_logged_without_template(http: HTTPClient, access_log: io.StringIO) -> None:
    http.get("/nowhere/123")
    assert access_lines(access_log)[-1]["route"] is None


def _cors_client(http_for: HTTPClientFactory, **update: object) -> HTTPClient:
    return http_for(cors_origins=["https://app.example"], **update)


def test_cors_allows_configured_origin(http_for: HTTPClientFactory) -> None:
    http = _cors_client(http_for, cors_allow_credentials=True)
    response = http.get("/health/live", headers={"Origin": "https://app.example"})
    preflight = http.options(
        "/api/v1/items",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-request-id",
        },
    )
    assert response.headers["access-control-allow-origin"] == "https://app.example"
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "X-Request-ID" in response.headers["access-control-expose-headers"]
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://app.example"
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_cors_lets_browser_code_read_a_retiring_versions_notice(http_for: HTTPClientFactory) -> None:
    # Deprecation, Sunset and Link (core/api_versions.py) are not CORS-safelisted: unexposed, a browser hides them.
    response = _cors_client(http_for).get("/health/live", headers={"Origin": "https://app.example"})
    exposed = {name.strip().lower() for name in response.headers["access-control-expose-headers"].split(",")}
    assert exposed >= {"deprecation", "sunset", "link"}


def test_cors_wildcard_without_credentials(http_for: HTTPClientFactory) -> None:
    http = http_for(cors_origins=["*"])
    response = http.get("/health/live", headers={"Origin": "https://any.example"})
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(
    ("origin", "method", "headers", "detail"),
    [
        ("https://evil.example", "POST", "", "Disallowed CORS origin"),
        ("https://app.example", "TRACE", "", "Disallowed CORS method"),
        ("https://app.example", "POST", "x-secret", "Disallowed CORS headers"),
    ],
)
def test_cors_refuses_what_is_not_allowed(
    http_for: HTTPClientFactory, origin: str, method: str, headers: str, detail: str
) -> None:
    http = _cors_client(http_for)
    sent = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        sent["Access-Control-Request-Headers"] = headers
    preflight = http.options("/api/v1/items", headers=sent)
    assert preflight.status_code == 400
    assert preflight.headers["content-type"] == "application/problem+json"
    assert preflight.json()["detail"] == detail
    if origin != "https://app.example":  # never granted to an origin not listed
        assert "access-control-allow-origin" not in preflight.headers
    simple = http.get("/health/live", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


def test_options_without_cors_is_405(http: HTTPClient) -> None:
    assert http.options("/api/v1/items").status_code == 405
