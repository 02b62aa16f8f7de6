"""The real process: `python -m <package>` on a loopback port, driven over HTTP and signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx2 as httpx
import pytest

from .processes import PACKAGE, START_DEADLINE_S, RunningService, start_service

pytestmark = pytest.mark.server


def test_serves_over_http_without_server_header(shared_service: RunningService) -> None:
    response = httpx.get(f"{shared_service.base_url}/health/live")
    assert response.status_code == 200
    assert "server" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"
    head = httpx.head(f"{shared_service.base_url}/health/live")
    assert head.status_code == 200
    assert head.content == b""


def test_first_requests_for_the_document_at_once_all_get_it(running_service: RunningService) -> None:
    """A fresh process, sixteen clients asking for /openapi.json at the same moment (a docs UI and a code
    generator at deploy time): every one gets the document, none a 500 from a generation raced by another."""
    start = threading.Barrier(16)

    def first_request(_: int) -> int:
        start.wait()
        return httpx.get(f"{running_service.base_url}/openapi.json", timeout=30).status_code

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(first_request, range(16)))
    assert statuses == [200] * 16


def test_one_json_log_line_per_request_and_no_server_access_log(running_service: RunningService) -> None:
    for index in range(3):
        httpx.get(f"{running_service.base_url}/api/v1/items", headers={"X-Request-ID": f"req-{index}"})
    exit_code = running_service.stop()
    assert exit_code in (0, -signal.SIGTERM)
    records = [json.loads(line) for line in running_service.read_output().splitlines() if line.startswith("{")]
    request_lines = [record for record in records if record.get("message") == "request"]
    served = [record for record in request_lines if record["route"] == "/api/v1/items"]
    assert [record["request_id"] for record in served] == ["req-0", "req-1", "req-2"]
    assert all(record["client"] == "127.0.0.1" for record in served)
    assert not [record for record in records if record.get("logger") == "uvicorn.access"]


def test_forwarded_for_from_an_untrusted_peer_is_ignored() -> None:
    service = start_service({"FORWARDED_ALLOW_IPS": "192.0.2.1"})  # only that proxy is trusted, not us
    try:
        httpx.get(f"{service.base_url}/health/live", headers={"X-Forwarded-For": "203.0.113.9"})
    finally:
        service.stop()
    lines = [json.loads(line) for line in service.read_output().splitlines() if '"message":"request"' in line]
    assert lines[-1]["client"] == "127.0.0.1"


def test_trusted_proxy_forwarded_for_is_used() -> None:
    service = start_service({"FORWARDED_ALLOW_IPS": "127.0.0.1"})
    try:
        httpx.get(f"{service.base_url}/health/live", headers={"X-Forwarded-For": "203.0.113.9"})
    finally:
        service.stop()
    lines = [json.loads(line) for line in service.read_output().splitlines() if '"message":"request"' in line]
    assert lines[-1]["client"] == "203.0.113.9"


def test_sigterm_finishes_in_flight_requests_then_exits() -> None:
    service = start_service({"GRACEFUL_TIMEOUT": "5"})
    results: list[int | str] = []
    sending = threading.Event()

    def slow_upload() -> None:
        def body() -> object:
            yield b'{"name": "slow", '
            sending.set()  # connected, the head and the first part of the body sent
            time.sleep(1.0)
            yield b'"price_cents": 1}'

        try:
            with service.client() as client:
                response = client.post(
                    "/api/v1/items",
                    content=body(),  # type: ignore[arg-type]
                    headers={"content-type": "application/json"},
                )
        except httpx.HTTPError as error:
            results.append(repr(error))
        else:
            results.append(response.status_code)

    worker = threading.Thread(target=slow_upload)
    worker.start()
    # Waited for, not slept on: on a busy machine the client may take seconds to connect.
    assert sending.wait(START_DEADLINE_S), "the upload never started"
    service.send_stop_signal()
    worker.join(timeout=START_DEADLINE_S)
    exit_code = service.stop(timeout=30)
    assert results == [201], service.read_output()
    assert exit_code in (0, -signal.SIGTERM), service.read_output()


def test_invalid_configuration_fails_fast_with_one_line_per_problem() -> None:
    secret = "hunter2-do-not-print"
    env = {**os.environ, "PORT": secret, "ENVIRONMENT": "nope"}
    result = subprocess.run(
        [sys.executable, "-m", PACKAGE], env=env, capture_output=True, text=True, timeout=START_DEADLINE_S, check=False
    )
    assert result.returncode == 2
    assert "PORT:" in result.stderr
    assert "ENVIRONMENT:" in result.stderr
    assert secret not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
