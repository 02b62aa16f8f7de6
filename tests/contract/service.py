"""Start a rendered service as a real process on a loopback port and watch what it writes."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx

from ..bearer import as_client, bearer, service_auth, uses_tokens
from ..conftest import RenderedProject
from ..ports import free_port
from ..postgres_server import deployable_database_url
from ..variants import DEFAULT_ANSWERS


@dataclass
class Service:
    project: RenderedProject
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    worker: subprocess.Popen[bytes] | None = None  # `python -m <package> worker` beside it (`start_worker`)

    def client(self, *, anonymous: bool = False, **kwargs: Any) -> httpx.Client:
        """A client of the service; in `auth=jwt` and `auth=users` variants it sends a token with every scope unless
        `anonymous`."""
        headers = {**self.auth_headers(anonymous=anonymous), **kwargs.pop("headers", {})}
        return httpx.Client(base_url=self.base_url, timeout=10, headers=headers, **kwargs)

    @property
    def uses_tokens(self) -> bool:
        return uses_tokens(self.project.answers)

    def auth_headers(self, subject: str | None = None, *, anonymous: bool = False) -> dict[str, str]:
        """The Authorization header a client of this variant sends (none with `auth=none`, or `anonymous`)."""
        if anonymous or not self.uses_tokens:
            return {}
        auth = self.project.answers["auth"]
        return bearer(subject, auth=auth) if subject is not None else bearer(auth=auth)

    def as_client(self, address: str) -> dict[str, str]:
        """The headers of a client of this service at `address` (behind a proxy the service trusts), with a token
        for a subject of its own when the service takes tokens (`bearer.as_client`)."""
        return as_client(address, auth=self.project.answers["auth"])

    def log_records(self) -> list[dict[str, Any]]:
        records = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                records.append(json.loads(line))
        return records

    def access_records(self) -> list[dict[str, Any]]:
        return [record for record in self.log_records() if record.get("message") == "request"]

    def wait_for_log(self, predicate: Any, timeout: float = 5) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            matching = [record for record in self.log_records() if predicate(record)]
            if matching:
                return matching
            time.sleep(0.05)
        return []

    def terminate(self, timeout: float = 20) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        exit_code = self.process.wait(timeout=timeout)
        if self.worker is not None and self.worker.poll() is None:
            self.worker.send_signal(signal.SIGTERM)
            self.worker.wait(timeout=timeout)
        return exit_code

    def kill(self) -> None:
        for process in (self.process, self.worker):
            if process is None:
                continue
            if process.poll() is None:
                process.kill()
                process.wait()
            with contextlib.suppress(ProcessLookupError):  # and what it started (runserver's reloading worker)
                os.killpg(process.pid, signal.SIGKILL)


DEPLOYED_MAIL: Final = {
    "MAIL_SMTP_URL": "smtps://mailer:not-a-real-password@smtp.example.invalid",
    "MAIL_FROM": "Deployed <no-reply@example.com>",
    "AUTH_PASSWORD_RESET_URL": "https://app.example.com/reset-password",
}


def sends_mail(answers: Mapping[str, Any]) -> bool:
    """Accounts with jobs: the service sends email, and outside development and test needs a mail server."""
    chosen = {**DEFAULT_ANSWERS, **answers}
    return bool(chosen["auth"] == "users" and chosen["jobs"])


def start_service(
    project: RenderedProject, log_dir: Path, *, runserver: bool = False, worker: bool = False, **env: str
) -> Service:
    """`python -m <package>`, or with `runserver` Django's `manage.py runserver 127.0.0.1:<port>` (auto-reload on);
    with `worker`, and jobs on a PostgreSQL database, the worker that runs its jobs beside it (`start_worker`)."""
    port = free_port()
    settings = {
        **service_auth(project.answers),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "ENVIRONMENT": "test",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    if settings["ENVIRONMENT"] in ("staging", "production") and sends_mail(project.answers):
        # The API refuses to start there without a mail server, as the worker does: one nothing here connects to.
        settings = {**DEPLOYED_MAIL, **settings}
    if "DATABASE_URL" not in settings and settings["ENVIRONMENT"] in ("staging", "production"):
        # A deployed environment needs a real database URL; the deploy step's migrations run at start here.
        settings["DATABASE_URL"] = deployable_database_url(project, log_dir)
        settings.setdefault("MIGRATE_ON_START", "true")
    service_env = project.env(**settings)
    log_path = log_dir / f"service-{port}.log"
    with log_path.open("wb") as log_file:
        entry = ["-m", project.package]
        if runserver:
            entry = [str(project.path / "manage.py"), "runserver", f"127.0.0.1:{port}"]
        process = subprocess.Popen(
            [str(project.venv_python), *entry],
            cwd=log_dir,  # away from the project's .env
            env=service_env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a process group: `kill` stops what it started too
        )
    service = Service(project, process, f"http://127.0.0.1:{port}", log_path, service_env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"service exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{service.base_url}/health/live", timeout=1).status_code == 200:
                if worker:
                    start_worker(service)
                return service
        except httpx.TransportError:
            time.sleep(0.05)
    service.kill()
    raise RuntimeError(f"service did not become live within 60 s:\n{log_path.read_text()}")


def start_worker(service: Service) -> None:
    """`python -m <package> worker` with the service's settings, as a deployment runs it beside the API, once the
    service has migrated its database; stopped with the service (`kill`, `terminate`). Only where the jobs go to
    PostgreSQL: without it (no jobs, or the SQLite file) the API process runs them itself, and the worker refuses to
    start."""
    if not service.project.answers.get("jobs") or not service.env.get("DATABASE_URL", "").startswith("postgres"):
        return
    # A health port of its own: the default one may be taken by another worker of the tests.
    env = {**service.env, "JOBS_HEALTH_PORT": "0"}
    log_path = service.log_path.with_name(f"worker-{service.base_url.rsplit(':', 1)[1]}.log")
    with log_path.open("wb") as log_file:
        service.worker = subprocess.Popen(
            [str(service.project.venv_python), "-m", service.project.package, "worker"],
            cwd=service.log_path.parent,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if service.worker.poll() is not None:
            service.kill()
            raise RuntimeError(f"the worker exited with {service.worker.returncode}:\n{log_path.read_text()}")
        if '"worker starting"' in log_path.read_text(errors="replace"):
            return
        time.sleep(0.05)
    service.kill()
    raise RuntimeError(f"the worker did not start within 60 s:\n{log_path.read_text()}")
