"""Passwords and tokens of `auth=users` never reach Sentry nor the logs. A real service process (each framework,
`use_sentry`) reports to the local sink (tests/sentry_sink.py) while it signs an account in with a password, fails
one login with another, refreshes, and serves a request that raises while carrying the access token in its
`Authorization` header and the refresh token and the password in a form body. The event must arrive (the scrubbing
was exercised), and none of those secrets may appear in any byte sent to the sink or in any log line.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import ProjectFactory, RenderedProject, framework_params
from .contract.service import Service, start_service
from .sentry_sink import EnvelopeSink, running_sink

pytestmark = pytest.mark.slow

EMAIL = "sentry-reader@example.com"
PASSWORD = "pw-SENTRY-ACCOUNT-7c1d9e3b"
WRONG_PASSWORD = "pw-WRONG-GUESS-4f8a2b6d"
REQUEST_ID = "sentry-accounts-1"


@pytest.fixture
def sink() -> Iterator[EnvelopeSink]:
    with running_sink() as sink:
        yield sink


@pytest.fixture(scope="module", params=framework_params(auth="users", use_sentry=True))
def users_project(projects: ProjectFactory, request: pytest.FixtureRequest) -> RenderedProject:
    return projects.installed(framework=request.param, auth="users", use_sentry=True)


def create_account(service: Service, log_dir: Path) -> None:
    command = [str(service.project.venv_python), "-m", service.project.package, "users", "create", EMAIL]
    created = subprocess.run(
        command,
        cwd=log_dir,  # the database the service started there reads (test settings)
        env=service.env,
        input=f"{PASSWORD}\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert created.returncode == 0, created.stdout + created.stderr
    assert PASSWORD not in created.stdout + created.stderr


def test_passwords_and_tokens_never_reach_sentry_or_the_logs(
    users_project: RenderedProject, sink: EnvelopeSink, tmp_path: Path
) -> None:
    service = start_service(users_project, tmp_path, SENTRY_DSN=sink.dsn, LOG_LEVEL="DEBUG")
    try:
        create_account(service, tmp_path)
        with httpx.Client(base_url=service.base_url, timeout=30) as client:
            token = "/api/v1/auth/token"
            wrong = client.post(token, data={"grant_type": "password", "username": EMAIL, "password": WRONG_PASSWORD})
            assert wrong.status_code == 400, wrong.text
            login = client.post(token, data={"grant_type": "password", "username": EMAIL, "password": PASSWORD})
            assert login.status_code == 200, login.text
            first = login.json()
            refreshed = client.post(
                token, data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
            )
            assert refreshed.status_code == 200, refreshed.text
            second = refreshed.json()
            failed = client.request(
                "GET",
                "/api/v1/debug/error",
                headers={
                    "Authorization": f"Bearer {second['access_token']}",
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Request-ID": REQUEST_ID,
                },
                content=f"refresh_token={second['refresh_token']}&password={PASSWORD}&note=kept",
            )
            assert failed.status_code == 500, failed.text
        event = sink.wait_for_event()
        assert event["tags"]["request_id"] == REQUEST_ID  # the failing request's event, with its request context
        assert service.terminate() in (0, 143, -signal.SIGTERM)  # its shutdown flushes the SDK
    finally:
        service.kill()

    secrets = {
        "password": PASSWORD,
        "wrong password": WRONG_PASSWORD,
        **{
            f"{name} ({which})": grant[name]
            for which, grant in (("login", first), ("refresh", second))
            for name in (
                "access_token",
                "refresh_token",
            )
        },
        # A token cut short (a truncated log field) still leaks its signature.
        **{
            f"access_token signature ({which})": grant["access_token"].rsplit(".", 1)[1]
            for which, grant in (
                ("login", first),
                ("refresh", second),
            )
        },
    }
    raw, logs = sink.raw(), service.log_path.read_text(errors="replace")
    assert "request" in logs  # the access lines were written: the log really was searched
    in_sentry = sorted(name for name, secret in secrets.items() if secret.encode() in raw)
    in_logs = sorted(name for name, secret in secrets.items() if secret in logs)
    assert (in_sentry, in_logs) == ([], []), "secrets reached (the Sentry sink, the service's log)"
