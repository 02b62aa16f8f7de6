"""The end-to-end and load tests every render ships (`make e2e`, `make loadtest`), run as a user runs them, against
a real service process of every contract variant.

The end-to-end tests are this suite's checks of everything that holds for any deployment (health, every resource the
OpenAPI document describes, caching headers, security headers, request ids, problem+json, ownership across two
callers): they must pass against a good service and fail against one with planted faults, among them a resource the
team added (the README's way) whose read is broken. The load test must pass against a service with its default rate
limits and fail against one that answers errors.
"""

from __future__ import annotations

import http.server
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import RenderedProject
from ..mail_sink import MailSink
from ..postgres_server import deployable_database_url
from ..variants import variant_id, with_defaults
from .conftest import CONTRACT_VARIANTS, SharedServices, variant_service
from .service import Service, start_service
from .shipped_suites import add_resource, break_the_read, credentials, make, planted_fault_overlay, write_migrations

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


def signs_up(project: RenderedProject) -> bool:
    answers = with_defaults(project.answers)
    return bool(answers["auth"] == "users" and answers["jobs"])


@pytest.fixture(scope="module")
def mail_sink(contract_project: RenderedProject) -> Iterator[MailSink | None]:
    """With accounts by email: the test mailbox the service's worker sends to and the suite reads."""
    if not signs_up(contract_project):
        yield None
        return
    with MailSink.serving() as sink:
        yield sink


@pytest.fixture(scope="module")
def service(
    contract_project: RenderedProject, tmp_path_factory: pytest.TempPathFactory, mail_sink: MailSink | None
) -> Iterator[Service]:
    """The variant's service without rate limits: a load test measures the service, not the limiter (the README
    says to run it that way; the item writes have a per-route limit of their own). With jobs on PostgreSQL, a worker
    runs beside it, as in any deployment: the suite waits for an export's operation to succeed. With accounts by
    email, sign-up is on and the worker sends to `mail_sink`."""
    sign_up = {} if mail_sink is None else {**SIGN_UP, "MAIL_SMTP_URL": mail_sink.smtp_url}
    with variant_service(
        contract_project, tmp_path_factory, worker=True, RATE_LIMIT_ENABLED="false", **sign_up
    ) as running:
        yield running


def only_once_per_framework(project: RenderedProject) -> None:
    if variant_id(project.answers) not in FIRST_OF_EACH_FRAMEWORK:
        pytest.skip("checked on the first contract variant of each framework")


# A skip the suite may report against a good service: the example's records have no owner before ownership exists
# (every other skip, a missing second caller say, means the run checked less than it says).
ALLOWED_SKIP = "its schema has no owner_id"
WITH_REASONS = {"PYTEST_ADDOPTS": "-v -rs"}
# The contract's services keep their files in the local directory store, which takes no browser-direct upload: the
# suite's presign test says so and is skipped (the rendered suites run it against an S3 server).
LOCAL_FILE_STORE = "the service's file store takes no direct uploads"
# Where a service runs without sign-up (no test mailbox), the suite's sign-up test says so and is skipped.
SIGN_UP_OFF = "sign-up is off at E2E_API_URL"
# Sign-up on, with the links its emails carry (the worker sends them to the test mailbox: `mail_sink`).
SIGN_UP = {
    "MAIL_FROM": "My Service <no-reply@example.com>",
    "AUTH_SIGN_UP": "true",
    "AUTH_EMAIL_VERIFICATION_URL": "https://app.example.com/verify-email",
    "AUTH_PASSWORD_RESET_URL": "https://app.example.com/reset-password",
}  # each test's outcome on its own line, and every skip's reason


def test_the_shipped_end_to_end_tests_pass(
    contract_project: RenderedProject, service: Service, mail_sink: MailSink | None
) -> None:
    mailbox = {} if mail_sink is None else {"E2E_MAILBOX_URL": mail_sink.http_url}
    result = make(
        contract_project,
        "e2e",
        service.base_url,
        credentials=credentials(contract_project, service),
        **WITH_REASONS,
        **mailbox,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in result.stdout
    skips = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED [")]
    allowed = (ALLOWED_SKIP, LOCAL_FILE_STORE, *(() if mail_sink is not None else (SIGN_UP_OFF,)))
    assert all(any(reason in line for reason in allowed) for line in skips), skips
    assert "test_another_caller_neither_sees_nor_changes_a_record[items]" in result.stdout
    if contract_project.answers.get("jobs"):
        assert "test_an_export_is_accepted_and_its_operation_succeeds_with_the_item PASSED" in result.stdout
    if mail_sink is not None:
        assert "test_a_new_customer_signs_up_verifies_and_signs_in PASSED" in result.stdout
        assert any(address.startswith("e2e-sign-up-") for address in mail_sink.recipients)


def test_the_shipped_end_to_end_tests_fail_against_a_broken_service(
    contract_project: RenderedProject, tmp_path: Path
) -> None:
    """One service with two faults: wrong security headers, and two resources added as the README says (copy the
    example, rename it), `orders` as copied and `parcels` with its read by id broken. The suite fails on the headers
    and on `parcels`, and passes `orders` (which it found in the OpenAPI document, as it found `parcels`)."""
    only_once_per_framework(contract_project)
    overlay = planted_fault_overlay(contract_project, tmp_path)
    package = overlay / contract_project.package
    add_resource(contract_project, package, "orders", "order")
    add_resource(contract_project, package, "parcels", "parcel")
    break_the_read(contract_project, package, "parcels")
    write_migrations(contract_project, overlay, tmp_path, "orders", "parcels")
    broken = start_service(
        contract_project,
        tmp_path,
        DATABASE_URL=deployable_database_url(contract_project, tmp_path),
        PYTHONPATH=str(overlay),
        RATE_LIMIT_ENABLED="false",  # the suite's writes to three resources in a few seconds: a 429 is no fault here
        worker=True,  # its exports succeed: the faults are the ones planted
    )
    try:
        assert broken.process.poll() is None
        added_scopes = [f"{plural}:{access}" for plural in ("orders", "parcels") for access in ("read", "write")]
        run_credentials = credentials(contract_project, broken, scopes=added_scopes)
        result = make(contract_project, "e2e", broken.base_url, credentials=run_credentials, **WITH_REASONS)
    finally:
        broken.kill()
    output = result.stdout
    assert result.returncode != 0, output[-6000:]
    assert "x-frame-options on GET" in output, output[-6000:]
    crud = "test_each_documented_example_creates_a_record_that_reads_lists_updates_and_deletes"
    assert f"{crud}[parcels] FAILED" in output, output[-6000:]
    assert "read /api/v1/parcels, the" in output, output[-6000:]  # its read, the fault planted
    assert "GET /api/v1/orders answered ['limit', 'offset', 'orders', 'total']" not in output, (
        "the copied resource lists its records under its own key, not `items`: every list's envelope is "
        '{"items", "total", "limit", "offset"} (issue 36, shared CRUD)'
    )
    assert f"{crud}[orders] PASSED" in output, output[-6000:]
    assert " failed" in output.splitlines()[-2] + output.splitlines()[-1]


def test_the_load_test_prints_percentiles_and_passes_on_the_default_limits(
    contract_project: RenderedProject, shared_services: SharedServices
) -> None:
    """Against the service the contract modules share, which runs with its default rate limits: 10 users for 10 s
    would spend one caller's budget several times over (100 requests and 30 writes a minute); spread over accounts
    of their own at a pace within each one's budget, they meet no 429."""
    only_once_per_framework(contract_project)
    default_limits = shared_services.of(contract_project)
    assert "RATE_LIMIT_ENABLED" not in default_limits.env
    result = load_test(
        contract_project,
        default_limits.base_url,
        credentials(contract_project, default_limits),
        DURATION="10s",
        USERS="10",
        SPAWN_RATE="10",
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    output = result.stdout + result.stderr
    summary = [line for line in output.splitlines() if line.startswith("load test:")]
    assert summary, output[-6000:]
    assert " 0 failed" in summary[0]
    for measure in ("requests/s", "p50 ", "p95 ", "p99 "):
        assert measure in summary[0]
    assert "Response time percentiles" in output  # locust's own table, per route


# The OpenAPI document of a service with one resource: what the load test reads before it starts.
ONE_RESOURCE = {
    "openapi": "3.1.0",
    "paths": {
        "/api/v1/items": {
            "get": {},
            "post": {"requestBody": {"content": {"application/json": {"examples": {"one": {"value": {"name": "a"}}}}}}},
        },
        "/api/v1/items/{item_id}": {"get": {}, "patch": {}, "delete": {}},
    },
}


class AlwaysFailing(http.server.BaseHTTPRequestHandler):
    """Its OpenAPI document, then 503 to every API call."""

    def respond(self) -> None:
        if self.path == "/openapi.json":
            document = json.dumps(ONE_RESOURCE).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(document)))
            self.end_headers()
            self.wfile.write(document)
            return
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
        result = load_test(
            contract_project, f"http://127.0.0.1:{server.server_address[1]}", credentials(contract_project, None)
        )
    finally:
        server.shutdown()
        server.server_close()
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-6000:]
    summary = [line for line in output.splitlines() if line.startswith("load test:")]
    assert summary, output[-6000:]
    assert " 0 failed" not in summary[0]


def load_test(
    project: RenderedProject, url: str, run_credentials: dict[str, str], **load: str
) -> subprocess.CompletedProcess[str]:
    settings = {"DURATION": "3s", "USERS": "4", "SPAWN_RATE": "4", **load}
    return make(project, "loadtest", url, credentials=run_credentials, **settings)
