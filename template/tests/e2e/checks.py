"""What every response of the service carries: security headers and the problem+json shape of errors.

Shared by the end-to-end tests (a deployed service, over HTTP) and the in-process tests (tests/test_http_behaviour.py),
so that both hold the service to the same values. Nothing here imports the service or an HTTP client.
"""

from __future__ import annotations

from typing import Any, Protocol

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
NO_STORE = SECURITY_HEADERS["cache-control"]
READ_CACHE_CONTROL = "private, no-cache"
"""Resource reads (item and list GETs that succeed) are stored by the client and revalidated; nothing else is."""
PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance", "request_id"}


class Request(Protocol):
    @property
    def method(self) -> str: ...

    @property
    def url(self) -> object: ...


class Response(Protocol):
    """The part of an HTTP response (httpx's, or a test client's) the checks read."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Any: ...  # case-insensitive mapping of header names to values

    @property
    def text(self) -> str: ...

    @property
    def request(self) -> Request: ...

    def json(self) -> Any: ...


def assert_problem(response: Response, status: int) -> dict[str, Any]:
    """An RFC 9457 problem with `status`, carrying the request id it was answered under and no stack trace."""
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


def assert_security_headers(response: Response, *, cache_control: str = NO_STORE) -> None:
    """The OWASP secure headers, with `cache_control` (a resource read is revalidated, anything else not stored)."""
    for name, value in {**SECURITY_HEADERS, "cache-control": cache_control}.items():
        assert response.headers.get(name) == value, f"{name} on {response.request.method} {response.request.url}"
    assert "geolocation=()" in response.headers["permissions-policy"]
    # No `Server` header, or an empty one (granian always sends the header; the service leaves it empty).
    assert response.headers.get("server", "") == ""
    assert "x-powered-by" not in response.headers
