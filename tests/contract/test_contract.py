"""The operational contract (shared/CONTRACT.md), checked black-box against a running rendered service.

Written once for every framework: tests talk HTTP and read the service's log output, nothing else. Fixtures
(`contract_project`, `service`, `client`) live in conftest.py; expectations shared by modules in checks.py.
What holds for any deployment (health, items, headers, request ids, problem+json) is the rendered projects' own
end-to-end suite, run against every contract variant by test_e2e_suite.py; this module keeps what needs the
service's configuration or its log output.
"""

from __future__ import annotations

import signal
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ..conftest import RenderedProject
from ..redis_server import start_redis
from .checks import (
    ALLOWED_ORIGIN,
    ITEM,
    SECURITY_HEADERS,
    assert_problem,
    assert_security_headers,
    port_of,
)
from .service import Service, start_service

pytestmark = pytest.mark.slow

NO_STORE = SECURITY_HEADERS["cache-control"]


# --- endpoints -----------------------------------------------------------------------------------------------


def test_health_summary(client: httpx.Client) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["environment"] == "test"
    assert body["version"]
    assert isinstance(body["checks"], dict)


def test_the_index_names_the_service_and_links_to_its_documents(
    contract_project: RenderedProject, service: Service
) -> None:
    links = {"health": "/health", "openapi": "/openapi.json"}
    if contract_project.answers["docs_ui"] != "none":
        links["docs"] = "/docs"
    with service.client(anonymous=True) as anonymous:
        index = anonymous.get("/")
        version = anonymous.get("/health").json()["version"]
    assert index.status_code == 200, index.text
    assert index.json() == {"name": contract_project.answers["project_name"], "version": version, "links": links}
    assert_security_headers(index)


# --- headers on every response -------------------------------------------------------------------------------
# The statuses any deployment answers are checked by the shipped end-to-end tests (test_e2e_suite.py); here, what
# only a service in ENVIRONMENT=test shows: the debug route's 500, and no HSTS.


@pytest.mark.parametrize(("path", "status"), [("/health/live", 200), ("/api/v1/debug/error", 500)])
def test_security_headers_and_no_hsts_outside_production(client: httpx.Client, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert_security_headers(response)
    assert "strict-transport-security" not in response.headers


# --- request ids ---------------------------------------------------------------------------------------------


def test_request_id_is_in_error_bodies_and_logs(client: httpx.Client, service: Service) -> None:
    body = assert_problem(client.get("/api/v1/debug/error", headers={"X-Request-ID": "contract-500"}), 500)
    assert body["request_id"] == "contract-500"
    errors = service.wait_for_log(lambda r: r.get("request_id") == "contract-500" and r["level"] == "ERROR")
    assert errors, "the unhandled error was not logged with the request id"


# --- errors --------------------------------------------------------------------------------------------------


def test_json_nested_2000_deep_is_a_400_problem(client: httpx.Client, service: Service) -> None:
    body = b"[" * 2000 + b"]" * 2000  # 4 KB: far below the body limit, deeper than Python's recursion limit
    response = client.post(
        "/api/v1/items", content=body, headers={"content-type": "application/json", "X-Request-ID": "deep-json"}
    )
    assert_problem(response, 400)
    assert not service.wait_for_log(lambda r: r.get("request_id") == "deep-json" and r["level"] == "ERROR", 0.3)


def test_unhandled_error_is_a_500_problem_without_details(client: httpx.Client) -> None:
    body = assert_problem(client.get("/api/v1/debug/error"), 500)
    assert "Deliberate" not in body["detail"]


# --- logs ----------------------------------------------------------------------------------------------------


def test_exactly_one_access_line_per_request(client: httpx.Client, service: Service) -> None:
    ids = [f"one-line-{uuid.uuid4().hex[:8]}-{index}" for index in range(5)]
    for request_id in ids:
        client.get("/api/v1/items", headers={"X-Request-ID": request_id})
    client.get("/nowhere", headers={"X-Request-ID": ids[0] + "-404"})
    records = service.wait_for_log(lambda r: r.get("request_id") == ids[0] + "-404" and r["message"] == "request")
    assert records
    access = service.access_records()
    for request_id in ids:
        lines = [record for record in access if record["request_id"] == request_id]
        assert len(lines) == 1, (request_id, lines)
        line = lines[0]
        assert line["method"] == "GET"
        assert line["path"] == "/api/v1/items"
        assert line["route"] == "/api/v1/items"
        assert line["status"] == 200
        assert line["duration_ms"] >= 0
        assert line["client"] == "127.0.0.1"
        assert line["level"] == "INFO"
        assert line["timestamp"]
    server_access_loggers = ("uvicorn.access", "granian.access")
    assert not [record for record in service.log_records() if str(record.get("logger")) in server_access_loggers]


def test_route_label_is_the_template_not_the_path(client: httpx.Client, service: Service) -> None:
    item_id = client.post("/api/v1/items", json=ITEM).json()["id"]
    client.get(f"/api/v1/items/{item_id}", headers={"X-Request-ID": "route-template"})
    lines = service.wait_for_log(lambda r: r.get("request_id") == "route-template" and r["message"] == "request")
    assert lines
    assert lines[0]["route"] == "/api/v1/items/{item_id}"
    assert lines[0]["path"] == f"/api/v1/items/{item_id}"


# --- CORS ----------------------------------------------------------------------------------------------------


def test_cors_allows_the_configured_origin(client: httpx.Client) -> None:
    simple = client.get("/health/live", headers={"Origin": ALLOWED_ORIGIN})
    assert simple.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    preflight = client.options(
        "/api/v1/items", headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code in (200, 204)
    assert preflight.headers["access-control-allow-origin"] == ALLOWED_ORIGIN


def test_cors_denies_other_origins(client: httpx.Client) -> None:
    simple = client.get("/health/live", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers
    preflight = client.options(
        "/api/v1/items", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in preflight.headers
    assert preflight.status_code >= 400


@pytest.fixture(scope="module")
def credentialed_cors(contract_project: RenderedProject, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """A service whose allowed origin may send cookies: the case where echoing any origin would be a hole."""
    running = start_service(
        contract_project, tmp_path_factory.mktemp("cors"), CORS_ORIGINS=ALLOWED_ORIGIN, CORS_ALLOW_CREDENTIALS="true"
    )
    yield running
    running.kill()


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "null",  # sandboxed iframes and file:// pages
        ALLOWED_ORIGIN + ".evil.example",  # the allowed origin as a prefix
        "http://allowed.example",  # another scheme
        ALLOWED_ORIGIN + ":8443",  # another port
    ],
)
def test_cors_with_credentials_refuses_other_origins(credentialed_cors: Service, origin: str) -> None:
    with credentialed_cors.client() as http:
        simple = http.get("/health/live", headers={"Origin": origin, "Cookie": "session=1"})
        preflight = http.options("/api/v1/items", headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
    assert simple.status_code == 200
    assert "access-control-allow-origin" not in simple.headers
    assert "access-control-allow-origin" not in preflight.headers
    assert preflight.status_code >= 400


def test_cors_with_credentials_allows_exactly_the_configured_origin(credentialed_cors: Service) -> None:
    with credentialed_cors.client() as http:
        simple = http.get("/health/live", headers={"Origin": ALLOWED_ORIGIN, "Cookie": "session=1"})
        preflight = http.options(
            "/api/v1/items",
            headers={
                "Origin": ALLOWED_ORIGIN,
                "Access-Control-Request-Method": "PUT",
                "Access-Control-Request-Headers": "content-type",
            },
        )
    assert preflight.status_code in (200, 204)
    for response in (simple, preflight):
        # Never `*`: browsers refuse a wildcard with credentials, and it would say nothing about who is allowed.
        assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
        assert response.headers["access-control-allow-credentials"] == "true"
        assert "origin" in response.headers.get("vary", "").lower()


# --- production behaviour ------------------------------------------------------------------------------------


def test_production_adds_hsts_and_hides_the_debug_route(contract_project: RenderedProject, tmp_path: Path) -> None:
    production = start_service(contract_project, tmp_path, ENVIRONMENT="production", SECRET_KEY="x" * 50)
    try:
        with production.client() as http:
            live = http.get("/health/live")
            debug = http.get("/api/v1/debug/error")
    finally:
        production.kill()
    assert live.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"
    assert_problem(debug, 404)


def test_header_values_are_settings(contract_project: RenderedProject, tmp_path: Path) -> None:
    policy = "default-src 'none'; img-src 'self'; frame-ancestors 'none'"
    production = start_service(
        contract_project,
        tmp_path,
        ENVIRONMENT="production",
        SECRET_KEY="x" * 50,
        HSTS_MAX_AGE="31536000",
        HSTS_PRELOAD="true",
        CONTENT_SECURITY_POLICY=policy,
    )
    try:
        with production.client() as http:
            answers = [http.get("/health/live"), http.get("/api/v1/items"), http.get("/does/not/exist")]
    finally:
        production.kill()
    for response in answers:
        assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
        assert response.headers["content-security-policy"] == policy


def test_production_refuses_a_policy_that_lets_scripts_run_anywhere(
    contract_project: RenderedProject, tmp_path: Path
) -> None:
    import subprocess

    unsafe = "default-src 'self'; script-src 'self' 'unsafe-eval'"
    result = subprocess.run(
        [str(contract_project.venv_python), "-m", contract_project.package],
        cwd=tmp_path,
        env=contract_project.env(ENVIRONMENT="production", CONTENT_SECURITY_POLICY=unsafe),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    refusals = [line for line in result.stderr.splitlines() if line.strip().startswith("CONTENT_SECURITY_POLICY:")]
    assert len(refusals) == 1, result.stderr
    assert "'unsafe-eval'" in refusals[0]
    assert "Traceback" not in result.stderr


def test_invalid_configuration_fails_at_start(contract_project: RenderedProject, tmp_path: Path) -> None:
    import subprocess

    result = subprocess.run(
        [str(contract_project.venv_python), "-m", contract_project.package],
        cwd=tmp_path,
        env=contract_project.env(PORT="hunter2", ENVIRONMENT="test"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "PORT" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


# --- shutdown ------------------------------------------------------------------------------------------------


def readiness_on_a_new_connection(port: int) -> int | None:
    """The status of `GET /health/ready` on a fresh connection; None when refused or closed unanswered."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(b"GET /health/ready HTTP/1.1\r\nHost: contract\r\nConnection: close\r\n\r\n")
            head = sock.recv(64)
    except OSError:
        return None
    return int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1 ") else None


def stop_while_serving(project: RenderedProject, log_dir: Path) -> tuple[list[int | None], list[int], int]:
    """Start a service, hold a request in flight (the rest of its body held back), SIGTERM it, probe readiness on new
    connections until the listener closes, then send the rest of the body. Returns the probes' statuses, the held
    request's status and the exit code."""
    # With Redis in the variant, a real one (readiness is 200 without it too, degraded; this is the usual case).
    redis = start_redis(log_dir) if project.answers.get("use_redis") else None
    env = {"REDIS_URL": redis.url} if redis is not None else {}
    # The drain has 10 s: a loaded machine slows the probes below, not the property (the held request completes).
    running = start_service(project, log_dir, GRACEFUL_TIMEOUT="10", **env)
    port = port_of(running.base_url)
    assert readiness_on_a_new_connection(port) == 200
    statuses: list[int] = []
    first_part_sent = threading.Event()
    rest_released = threading.Event()

    def held_request() -> None:
        def body() -> Iterator[bytes]:
            yield b'{"name": "slow", '
            first_part_sent.set()  # the headers and a first part are on the socket
            rest_released.wait(timeout=30)
            yield b'"price_cents": 1}'

        with running.client() as http:
            statuses.append(
                http.post("/api/v1/items", content=body(), headers={"content-type": "application/json"}).status_code
            )

    worker = threading.Thread(target=held_request)
    worker.start()
    try:
        assert first_part_sent.wait(timeout=30), "the held request was never sent"
        # A connection made after it answered: the server has accepted the held request's connection (a listener
        # accepts in order), so the request is in flight when the signal comes.
        assert readiness_on_a_new_connection(port) == 200
        running.process.send_signal(signal.SIGTERM)
        # The shutdown flag flips with the signal; the server closes its listener on its next tick (uvicorn: within
        # 0.1 s). Probes sent in between must see 503, so that a load balancer stops routing here.
        started = time.monotonic()
        probes: list[int | None] = []
        while time.monotonic() - started < 1 and (not probes or probes[-1] is not None):
            probes.append(readiness_on_a_new_connection(port))
    finally:
        rest_released.set()
        worker.join(timeout=30)
    try:
        exit_code = running.process.wait(timeout=30)  # a hang guard: the drain ends with the held request
    finally:
        running.kill()
        if redis is not None:
            redis.kill()
    return probes, statuses, exit_code


def test_sigterm_turns_readiness_503_then_drains_in_flight_requests_and_exits(
    contract_project: RenderedProject, tmp_path: Path
) -> None:
    answered: list[int | None] = []
    for attempt in range(3):  # the window before the listener closes is short: rarely, no probe lands in it
        log_dir = tmp_path / f"attempt-{attempt}"
        log_dir.mkdir()
        probes, statuses, exit_code = stop_while_serving(contract_project, log_dir)
        assert statuses == [201], "the in-flight request was not completed"
        assert exit_code in (0, 143, -signal.SIGTERM)
        answered = [status for status in probes if status is not None]
        if answered:
            break
    assert answered, "no readiness probe was answered between SIGTERM and the listener closing, in 3 attempts"
    assert set(answered) == {503}, f"readiness after SIGTERM: {answered}"


# --- request headers -------------------------------------------------------------------------------------------

HUGE_HEADER_BYTES = 64 * 1024 * 1024


def send_huge_header(port: int, size: int, budget_s: float) -> int | None:
    """GET /health/live with one `size`-byte header; the status the server answered, or None when it closed the
    connection without answering. Fails when the server is still reading after `budget_s` seconds."""
    deadline = time.monotonic() + budget_s
    chunk = b"a" * 65536
    with socket.create_connection(("127.0.0.1", port), timeout=budget_s) as sock:
        try:
            sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: contract\r\nX-Huge: ")
            for _ in range(size // len(chunk)):
                sock.sendall(chunk)
                if time.monotonic() > deadline:
                    raise AssertionError(f"the server was still reading a {size}-byte header after {budget_s} s")
            sock.sendall(b"\r\nConnection: close\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass  # refused before the end of the header: read what the server said, if anything
        try:
            head = sock.recv(64)
        except (ConnectionResetError, TimeoutError):
            return None
    return int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1 ") else None


def test_a_huge_request_header_is_refused_without_stalling_the_service(service: Service) -> None:
    port = port_of(service.base_url)
    outcomes: list[int | str | None] = []

    def huge() -> None:
        try:
            outcomes.append(send_huge_header(port, HUGE_HEADER_BYTES, budget_s=10))
        except AssertionError as failure:
            outcomes.append(str(failure))

    senders = [threading.Thread(target=huge) for _ in range(2)]
    for sender in senders:
        sender.start()
    liveness: list[float] = []
    with httpx.Client(base_url=service.base_url, timeout=2) as http:
        while any(sender.is_alive() for sender in senders) or not liveness:
            started = time.monotonic()
            try:
                assert http.get("/health/live").status_code == 200
                liveness.append(time.monotonic() - started)
            except httpx.TimeoutException:
                liveness.append(float("inf"))
            time.sleep(0.05)
    for sender in senders:
        sender.join()
    seen = f"huge headers: {outcomes}; slowest /health/live while they were in flight: {max(liveness):.2f} s"
    # Refused: 431 (or 400) from the server, or the connection closed; never served. And nobody else waits for it.
    assert all(outcome in (431, 400, None) for outcome in outcomes), seen
    assert max(liveness) < 0.5, seen


MALFORMED_REQUESTS = {
    "unknown method": b"FROB /health/live HTTP/1.1\r\nHost: contract\r\n\r\n",
    "negative content-length": b"POST /api/v1/items HTTP/1.1\r\nHost: contract\r\nContent-Length: -1\r\n\r\n",
    "obs-fold": b"GET /health/live HTTP/1.1\r\nHost: contract\r\nX-Note: a\r\n  b\r\n\r\n",
}


@pytest.mark.parametrize("name", sorted(MALFORMED_REQUESTS))
def test_a_request_the_http_parser_refuses_is_a_400_problem_with_headers_and_an_access_line(
    contract_project: RenderedProject, service: Service, name: str
) -> None:
    on_granian = contract_project.answers.get("server") == "granian"
    request = MALFORMED_REQUESTS[name]
    if on_granian and name == "unknown method":  # routed by the service, on a connection that stays open
        request = request.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1)
    with socket.create_connection(("127.0.0.1", port_of(service.base_url)), timeout=5) as sock:
        sock.sendall(request)
        raw = b""
        while chunk := sock.recv(65536):  # the server closes after answering
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    response = httpx.Response(
        int(status_line.split()[1]),
        headers=[tuple(line.split(": ", 1)) for line in header_lines],
        content=body,
        request=httpx.Request("GET", service.base_url),
    )
    if on_granian and name != "unknown method":
        # granian answers what its parser refuses itself, before the service sees it (documented in docs/options.md):
        # a bare 400 that closes the connection and names no server.
        assert (response.status_code, response.content) == (400, b"")
        assert response.headers["connection"] == "close"
        assert "server" not in response.headers
        return
    if on_granian:  # an unknown method is routed: the service's own 405
        assert_problem(response, 405)
        assert_security_headers(response)
        return
    assert_problem(response, 400)
    assert_security_headers(response)
    assert response.headers["connection"] == "close"
    request_id = response.headers["x-request-id"]
    assert service.wait_for_log(lambda record: record.get("request_id") == request_id and record.get("status") == 400)
