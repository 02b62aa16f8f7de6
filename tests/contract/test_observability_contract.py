"""The observability part of the contract (metrics and Sentry), black-box against every contract variant.

Checks of an option run where the variant chose it; where it did not, a check shows the option left no trace.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest

from ..conftest import RenderedProject
from ..sentry_sink import PLANTED, REQUEST_ID, plant_secrets_and_fail, running_sink
from .checks import assert_problem, assert_security_headers, requires
from .service import start_service

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


def test_sentry_event_carries_context_and_no_planted_secret(contract_project: RenderedProject, tmp_path: Path) -> None:
    requires(contract_project.answers, use_sentry=True)
    with running_sink() as sink:
        service = start_service(contract_project, tmp_path, SENTRY_DSN=sink.dsn)
        try:
            assert_problem(plant_secrets_and_fail(service), 500)
            event = sink.wait_for_event()
            assert service.terminate() is not None  # shutdown flushes whatever is still queued
        finally:
            service.kill()
        raw = sink.raw()
    assert event["environment"] == "test"
    assert event["release"].endswith("@0.1.0")
    assert event["tags"]["request_id"] == REQUEST_ID
    assert not [where for where, secret in PLANTED.items() if secret.encode() in raw]


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
