"""Requests the HTTP parser refuses still get the service's answer: a 400 problem with the security headers and a
request id, and an access line (the server's own bare `400 text/plain` would carry none of them)."""

from __future__ import annotations

import json

import pytest

from .processes import RunningService
from .raw_http import exchange

pytestmark = pytest.mark.server

MALFORMED = {
    "unknown method": b"FROB /health/live HTTP/1.1\r\nHost: test\r\n\r\n",
    "negative content-length": (
        b"POST /api/v1/items HTTP/1.1\r\nHost: test\r\nX-Request-ID: negative-length\r\nContent-Length: -1\r\n\r\n"
    ),
    "obs-fold": b"GET /health/live HTTP/1.1\r\nHost: test\r\nX-Request-ID: folded\r\nX-Note: a\r\n  b\r\n\r\n",
}


def test_requests_the_parser_refuses_get_a_400_problem_with_headers_id_and_access_line(
    running_service: RunningService,
) -> None:
    responses = {name: exchange(running_service.base_url, request) for name, request in MALFORMED.items()}
    running_service.stop()
    access_lines = [
        json.loads(line) for line in running_service.read_output().splitlines() if '"message":"request"' in line
    ]
    for name, response in responses.items():
        assert response.status == 400, name
        assert response.headers["content-type"] == "application/problem+json", name
        assert response.headers["connection"] == "close", name
        assert response.headers["x-content-type-options"] == "nosniff", name
        assert response.headers["x-frame-options"] == "DENY", name
        assert "server" not in response.headers, name
        problem = response.json()
        assert problem["status"] == 400, name
        assert problem["detail"].startswith("The request is not valid HTTP"), name
        assert problem["request_id"] == response.headers["x-request-id"], name
        assert [line["status"] for line in access_lines if line["request_id"] == problem["request_id"]] == [400], name
    # A caller's id is kept when the parser read that header before it stopped.
    assert responses["negative content-length"].headers["x-request-id"] == "negative-length"
    assert responses["obs-fold"].json()["instance"] == "/health/live"
