"""The observability part of the contract (metrics and Sentry), black-box against every contract variant.

Checks of an option run where the variant chose it; where it did not, a check shows the option left no trace.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from ..conftest import RenderedProject
from ..sentry_sink import PLANTED, REQUEST_ID, EnvelopeSink, plant_secrets_and_fail, running_sink
from .checks import assert_problem, assert_security_headers, requires
from .service import Service, start_service

pytestmark = pytest.mark.slow

METRIC_FAMILIES = (
    "# TYPE http_requests_total counter",
    "# TYPE http_request_duration_seconds histogram",
    "# TYPE http_requests_in_progress gauge",
    "# TYPE rate_limit_degraded_total counter",
)


# --- metrics -------------------------------------------------------------------------------------------------


def test_metrics_endpoint_serves_the_contract_families(contract_project: RenderedProject, client: httpx.Client) -> None:
    requires(contract_project.answers, use_prometheus=True)
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert_security_headers(response)
    for family in METRIC_FAMILIES:
        assert family in response.text
    answers = contract_project.answers
    if answers.get("database", "postgresql") == "postgresql" or answers.get("framework", "fastapi") == "fastapi":
        # The database pool's gauges (Django on SQLite has no pool).
        assert "# TYPE db_pool_connections gauge" in response.text
        assert "# TYPE db_pool_overflow gauge" in response.text
    # Limited routes announce their limit; /metrics is never limited.
    assert "x-ratelimit-limit" not in response.headers
    head = client.head("/metrics")
    assert head.status_code == 200
    assert head.content == b""


def test_metrics_label_route_templates_not_paths(contract_project: RenderedProject, client: httpx.Client) -> None:
    requires(contract_project.answers, use_prometheus=True)
    missing_id = str(uuid.uuid4())
    assert client.get(f"/api/v1/items/{missing_id}").status_code == 404
    unmatched = f"/contract-unmatched/{uuid.uuid4()}"
    assert client.get(unmatched).status_code == 404
    text = client.get("/metrics").text
    assert 'route="/api/v1/items/{item_id}"' in text
    assert 'route="<unmatched>"' in text
    assert missing_id not in text
    assert unmatched not in text


def test_metrics_are_not_documented(contract_project: RenderedProject, client: httpx.Client) -> None:
    requires(contract_project.answers, use_prometheus=True)
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]


def test_no_metrics_endpoint_without_prometheus(contract_project: RenderedProject, client: httpx.Client) -> None:
    requires(contract_project.answers, use_prometheus=False)
    assert_problem(client.get("/metrics"), 404)


# --- Sentry --------------------------------------------------------------------------------------------------


# Secrets only the service's own scrubber can catch: the SDK filters the `Authorization`, `Proxy-Authorization` and
# `Cookie` headers by exact name and never looks into query strings, so these pass it untouched.
SCRUBBER_ONLY = {
    "X-Authorization header": "Bearer xauthz-HDR7c1e9b3d",
    "authorization query parameter": "qs-AUTHZ4f8a2c6e",
    "authorization-like body field": "body-AUTHZ9e3b7d1f",
    "nested authorization body field": "nested-AUTHZ2d6f8a4c",
}
SCRUBBER_REQUEST_ID = "sentry-scrubber-only-1"


def plant_secrets_only_the_scrubber_catches(service: Service) -> httpx.Response:
    with service.client() as client:
        return client.request(
            "GET",
            "/api/v1/debug/error",
            params={"page": "3", "authorization": SCRUBBER_ONLY["authorization query parameter"]},
            headers={
                "X-Authorization": SCRUBBER_ONLY["X-Authorization header"],
                "Proxy-Authorization": "Basic cHJveHk6c2VjcmV0",
                "X-Request-ID": SCRUBBER_REQUEST_ID,
            },
            json={
                "clientAuthorization": SCRUBBER_ONLY["authorization-like body field"],
                "upstream": {"headers": {"X-Upstream-Authorization": SCRUBBER_ONLY["nested authorization body field"]}},
                "note": "kept",
            },
        )


def test_sentry_event_carries_context_and_no_planted_secret(contract_project: RenderedProject, tmp_path: Path) -> None:
    requires(contract_project.answers, use_sentry=True)
    with running_sink() as sink:
        service = start_service(contract_project, tmp_path, SENTRY_DSN=sink.dsn)
        try:
            assert_problem(plant_secrets_and_fail(service), 500)
            assert_problem(plant_secrets_only_the_scrubber_catches(service), 500)
            events = wait_for_events(sink, 2)
            assert service.terminate() is not None  # shutdown flushes whatever is still queued
        finally:
            service.kill()
        raw = sink.raw()
    by_request = {event["tags"]["request_id"]: event for event in events}
    assert by_request.keys() == {REQUEST_ID, SCRUBBER_REQUEST_ID}
    event = by_request[REQUEST_ID]
    assert event["environment"] == "test"
    assert event["release"].endswith("@0.1.0")
    # The scrubbed request is in the event (so scrubbing was really exercised), minus the secrets.
    scrubbed = by_request[SCRUBBER_REQUEST_ID]["request"]
    assert "page=3" in scrubbed["query_string"]
    assert scrubbed["data"]["note"] == "kept"
    leaked = [where for where, secret in {**PLANTED, **SCRUBBER_ONLY}.items() if secret.encode() in raw]
    assert not leaked, f"secrets reached the Sentry sink: {leaked}"


def wait_for_events(sink: EnvelopeSink, count: int, timeout: float = 15) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = sink.events()
        if len(events) >= count:
            return events
        time.sleep(0.05)
    raise AssertionError(f"{len(sink.events())} of {count} events reached the sink within {timeout} s")


def test_no_sentry_reports_without_the_option(contract_project: RenderedProject, tmp_path: Path) -> None:
    requires(contract_project.answers, use_sentry=False)
    with running_sink() as sink:
        service = start_service(contract_project, tmp_path, SENTRY_DSN=sink.dsn)
        try:
            assert_problem(plant_secrets_and_fail(service), 500)
            service.terminate()
        finally:
            service.kill()
        time.sleep(0.2)
        assert sink.envelopes == []
