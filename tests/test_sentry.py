"""Sentry, hardened (`use_sentry`): a rendered service, run as a real process, reports to a local sink as its DSN
host. Secrets planted in headers, a body field, a nested body field and a query parameter must never reach the
sink, while the event itself does, with environment, release and the request id.
"""

from __future__ import annotations

import gzip
import json
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import ProjectFactory, RenderedProject
from .contract.service import Service, start_service

pytestmark = pytest.mark.slow

# Distinct, greppable values: if any of them shows up in the bytes the SDK sent, a secret leaked.
PLANTED = {
    "authorization header": "Bearer sk-live-AUTHZ7f3c9e1d",
    "cookie header": "sess-COOKIE4a8b2c6d",
    "x-api-key header": "apikey-XKEY9d1e5f3a",
    "body field": "pw-BODY2c7e9a4f",
    "nested body field": "4111-NESTED-1111-1111",
    "nested body token": "tok-DEEP8e2f4a6c",
    "query parameter": "qs-QUERY5b3d7f1e",
}
REQUEST_ID = "sentry-planted-secrets-1"


class EnvelopeSink:
    """A stand-in for Sentry's ingestion: collects every envelope POSTed to /api/<project>/envelope/."""

    def __init__(self) -> None:
        self.envelopes: list[bytes] = []
        self.paths: list[str] = []
        self._lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                if self.headers.get("content-encoding") == "gzip":
                    body = gzip.decompress(body)
                with sink._lock:
                    sink.envelopes.append(body)
                    sink.paths.append(self.path)
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def dsn(self) -> str:
        return f"http://publickey@127.0.0.1:{self.server.server_address[1]}/1"

    def raw(self) -> bytes:
        with self._lock:
            return b"\n".join(self.envelopes)

    def events(self) -> list[dict[str, Any]]:
        """The `event` items of every envelope (an envelope: header line, then item header + payload pairs)."""
        events = []
        with self._lock:
            envelopes = list(self.envelopes)
        for envelope in envelopes:
            lines = envelope.split(b"\n")
            for index in range(1, len(lines) - 1):
                try:
                    header = json.loads(lines[index])
                except ValueError:
                    continue
                if isinstance(header, dict) and header.get("type") == "event":
                    events.append(json.loads(lines[index + 1]))
        return events

    def wait_for_event(self, timeout: float = 15) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            events = self.events()
            if events:
                return events[0]
            time.sleep(0.05)
        raise AssertionError(f"no event reached the sink within {timeout} s (envelopes: {len(self.envelopes)})")


@pytest.fixture
def sink() -> Iterator[EnvelopeSink]:
    sink = EnvelopeSink()
    sink.thread.start()
    yield sink
    sink.server.shutdown()
    sink.server.server_close()


@pytest.fixture(scope="module")
def sentry_project(projects: ProjectFactory) -> RenderedProject:
    return projects.installed(use_sentry=True)


@pytest.fixture
def reporting_service(
    sentry_project: RenderedProject, sink: EnvelopeSink, tmp_path: Path
) -> Iterator[Service]:
    service = start_service(sentry_project, tmp_path, ENVIRONMENT="staging", SENTRY_DSN=sink.dsn)
    yield service
    service.kill()


def plant_secrets_and_fail(service: Service) -> httpx.Response:
    with service.client() as client:
        return client.request(
            "GET",
            "/api/v1/debug/error",
            params={"page": "2", "access_token": PLANTED["query parameter"]},
            headers={
                "Authorization": PLANTED["authorization header"],
                "Cookie": f"session={PLANTED['cookie header']}",
                "X-Api-Key": PLANTED["x-api-key header"],
                "X-Request-ID": REQUEST_ID,
            },
            json={
                "password": PLANTED["body field"],
                "profile": {
                    "note": "kept",
                    "payment": {"card_number": PLANTED["nested body field"]},
                    "sessions": [{"refreshToken": PLANTED["nested body token"]}],
                },
            },
        )


def test_an_unhandled_error_reaches_sentry_without_any_planted_secret(
    reporting_service: Service, sink: EnvelopeSink
) -> None:
    response = plant_secrets_and_fail(reporting_service)
    assert response.status_code == 500
    assert response.json()["request_id"] == REQUEST_ID

    event = sink.wait_for_event()
    # Stop the service (its shutdown flushes the SDK) so every byte it would ever send is in the sink.
    assert reporting_service.terminate() in (0, 143, -signal.SIGTERM)

    assert sink.paths[0] == "/api/1/envelope/"
    assert event["environment"] == "staging"
    assert event["release"] == f"{sentry_project_package(reporting_service)}@0.1.0"
    assert event["tags"]["request_id"] == REQUEST_ID
    assert [value["type"] for value in event["exception"]["values"]][-1] == "DeliberateError"
    # The request context is there (so scrubbing was really exercised), with the secrets replaced.
    request = event["request"]
    assert request["method"] == "GET"
    assert "page=2" in request["query_string"]
    assert "access_token=[Filtered]" in request["query_string"]
    assert request["data"]["profile"]["note"] == "kept"
    assert request["data"]["password"] == "[Filtered]"
    assert request["data"]["profile"]["payment"]["card_number"] == "[Filtered]"
    assert request["headers"]["x-api-key"] == "[Filtered]"
    assert all("vars" not in frame for value in event["exception"]["values"] for frame in stack_frames(value))

    raw = sink.raw()
    leaked = {where: secret for where, secret in PLANTED.items() if secret.encode() in raw}
    assert not leaked, f"secrets reached the Sentry sink: {sorted(leaked)}"


def test_an_invalid_dsn_stops_the_service_without_echoing_it(sentry_project: RenderedProject) -> None:
    secret_dsn = "https://not-a-dsn-SECRET8f2a@"
    process = subprocess.run(
        [str(sentry_project.venv_python), "-m", sentry_project.package],
        env=sentry_project.env(SENTRY_DSN=secret_dsn, PORT="1"),
        cwd="/",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert process.returncode == 2, process.stderr
    assert "SENTRY_DSN" in process.stderr
    assert "SECRET8f2a" not in process.stdout + process.stderr


def test_without_sentry_nothing_of_it_is_rendered(projects: ProjectFactory) -> None:
    project = projects.render(use_sentry=False)
    package = project.path / "src" / project.package
    assert not (package / "integrations" / "sentry.py").exists()
    assert "sentry" not in (project.path / "pyproject.toml").read_text()
    assert "SENTRY_DSN" not in (project.path / ".env.example").read_text()
    assert "sentry" not in (package / "settings.py").read_text().lower()


def sentry_project_package(service: Service) -> str:
    return service.project.package


def stack_frames(exception_value: dict[str, Any]) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = (exception_value.get("stacktrace") or {}).get("frames", [])
    return frames
