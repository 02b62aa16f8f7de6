"""The end-to-end and load tests every render ships (`make e2e`, `make loadtest`), run as a user runs them, against
a real service process of every contract variant.

The end-to-end tests are this suite's checks of everything that holds for any deployment (health, items, caching
headers, security headers, request ids, problem+json): they must pass against a good service and fail against one
with a planted fault. The load test must pass against a good service and fail against one that answers errors.
"""

from __future__ import annotations

import http.server
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import RenderedProject
from ..postgres_server import deployable_database_url
from ..variants import variant_id
from .conftest import CONTRACT_VARIANTS, variant_service
from .service import Service, start_service
from .shipped_suites import make, planted_fault_overlay

pytestmark = pytest.mark.slow

CONTRACT_ANSWERS = [param.values[0] for param in CONTRACT_VARIANTS]
# Load runs and the planted fault check files the renders share: once per framework (its first contract variant).
FIRST_OF_EACH_FRAMEWORK = {
    next(
        iter(variant_id(answers) for answers in CONTRACT_ANSWERS if answers.get("framework", "fastapi") == framework),
        "",
    )
    for framework in ("fastapi", "django")
}


@pytest.fixture(scope="module")
def service(contract_project: RenderedProject, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The variant's service without rate limits: a load test measures the service, not the limiter (the README
    says to run it that way; the item writes have a per-route limit of their own)."""
    with variant_service(contract_project, tmp_path_factory, RATE_LIMIT_ENABLED="false") as running:
        yield running


def only_once_per_framework(project: RenderedProject) -> None:
    if variant_id(project.answers) not in FIRST_OF_EACH_FRAMEWORK:
        pytest.skip("checked on the first contract variant of each framework")


def test_the_shipped_end_to_end_tests_pass(contract_project: RenderedProject, service: Service) -> None:
    result = make(contract_project, "e2e", service.base_url)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in result.stdout
    assert "skipped" not in result.stdout.splitlines()[-1]


def test_the_shipped_end_to_end_tests_fail_against_a_broken_service(
    contract_project: RenderedProject, tmp_path: Path
) -> None:
    only_once_per_framework(contract_project)
    broken = start_service(
        contract_project,
        tmp_path,
        DATABASE_URL=deployable_database_url(contract_project, tmp_path),
        PYTHONPATH=str(planted_fault_overlay(contract_project, tmp_path)),
    )
    try:
        assert broken.process.poll() is None
        result = make(contract_project, "e2e", broken.base_url)
    finally:
        broken.kill()
    assert result.returncode != 0, result.stdout[-6000:]
    assert "x-frame-options on GET" in result.stdout, result.stdout[-6000:]
    assert " failed" in result.stdout.splitlines()[-2] + result.stdout.splitlines()[-1]


def test_the_load_test_prints_percentiles_and_passes(contract_project: RenderedProject, service: Service) -> None:
    only_once_per_framework(contract_project)
    result = load_test(contract_project, service.base_url)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    output = result.stdout + result.stderr
    summary = [line for line in output.splitlines() if line.startswith("load test:")]
    assert summary, output[-6000:]
    assert " 0 failed" in summary[0]
    for measure in ("requests/s", "p50 ", "p95 ", "p99 "):
        assert measure in summary[0]
    assert "Response time percentiles" in output  # locust's own table, per route


class AlwaysFailing(http.server.BaseHTTPRequestHandler):
    def respond(self) -> None:
        self.send_response(503)
        self.send_header("Content-Type", "application/problem+json")
        body = b'{"type": "about:blank", "title": "Service Unavailable", "status": 503}'
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = respond

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_the_load_test_fails_on_error_responses(contract_project: RenderedProject) -> None:
    only_once_per_framework(contract_project)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), AlwaysFailing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = load_test(contract_project, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-6000:]
    summary = [line for line in output.splitlines() if line.startswith("load test:")]
    assert summary, output[-6000:]
    assert " 0 failed" not in summary[0]


def load_test(project: RenderedProject, url: str) -> subprocess.CompletedProcess[str]:
    return make(project, "loadtest", url, DURATION="3s", USERS="4", SPAWN_RATE="4")
