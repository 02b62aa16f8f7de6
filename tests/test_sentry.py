"""Sentry, hardened (`use_sentry`): a rendered service, run as a real process, reports to a local sink as its DSN
host. Secrets planted in headers, a body field, a nested body field and a query parameter must never reach the
sink, while the event itself does (exactly once), with environment, release and the request id. Every test runs
for each framework: the scrubber is one shared module, the integrations differ.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import ProjectFactory, RenderedProject, framework_params
from .contract.service import Service, start_service
from .sentry_sink import PLANTED, REQUEST_ID, EnvelopeSink, plant_secrets_and_fail, running_sink

pytestmark = pytest.mark.slow

FRAMEWORKS = ["fastapi", "django"]
# What staging demands of a Django service beyond the DSN (a real signing key); FastAPI ignores it.
STAGING_SECRET_KEY = "sentry-test-" + "k" * 50


@pytest.fixture
def sink() -> Iterator[EnvelopeSink]:
    with running_sink() as sink:
        yield sink


@pytest.fixture(scope="module", params=framework_params(use_sentry=True))
def sentry_project(projects: ProjectFactory, request: pytest.FixtureRequest) -> RenderedProject:
    return projects.installed(**{"use_sentry": True, "framework": request.param})


@pytest.fixture
def reporting_service(sentry_project: RenderedProject, sink: EnvelopeSink, tmp_path: Path) -> Iterator[Service]:
    service = start_service(
        sentry_project, tmp_path, ENVIRONMENT="staging", SECRET_KEY=STAGING_SECRET_KEY, SENTRY_DSN=sink.dsn
    )
    yield service
    service.kill()


def test_an_unhandled_error_reaches_sentry_without_any_planted_secret(
    reporting_service: Service, sink: EnvelopeSink
) -> None:
    response = plant_secrets_and_fail(reporting_service)
    assert response.status_code == 500
    assert response.json()["request_id"] == REQUEST_ID

    event = sink.wait_for_event()
    # Stop the service (its shutdown flushes the SDK) so every byte it would ever send is in the sink.
    assert reporting_service.terminate() in (0, 143, -signal.SIGTERM)
    assert len(sink.events()) == 1, "one unhandled error must make exactly one event"

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


@pytest.mark.parametrize("framework", framework_params(use_sentry=False))
def test_without_sentry_nothing_of_it_is_rendered(projects: ProjectFactory, framework: str) -> None:
    project = projects.render(**{"use_sentry": False, "framework": framework})
    package = project.path / "src" / project.package
    assert not (package / "integrations" / "sentry.py").exists()
    assert not (package / "core" / "sentry_scrubbing.py").exists()
    assert not [path.name for path in (project.path / "tests").iterdir() if "sentry" in path.name]
    assert "sentry" not in (project.path / "pyproject.toml").read_text()
    assert "SENTRY_DSN" not in (project.path / ".env.example").read_text()
    assert "sentry" not in (package / "config.py").read_text().lower()


def sentry_project_package(service: Service) -> str:
    return service.project.package


def stack_frames(exception_value: dict[str, Any]) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = (exception_value.get("stacktrace") or {}).get("frames", [])
    return frames
