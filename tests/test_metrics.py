"""Prometheus metrics (`use_prometheus`) of a rendered service run as a real process, for every framework:
route-template labels (ids never become labels, unmatched paths share one value), the exposition passes `promtool
check metrics`, and in multiprocess mode two uvicorn workers' counts add up.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from .bearer import bearer, service_auth, uses_tokens
from .conftest import ProjectFactory, RenderedProject, framework_params, variant_group
from .contract.service import Service, free_port, start_service
from .variants import QUESTION_VALUES

pytestmark = pytest.mark.slow

PROMTOOL_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "production-api-template" / "promtool"
SAMPLE = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>.*)\})? (?P<value>\S+)$")
LABEL = re.compile(r'(?P<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?P<value>(?:[^"\\]|\\.)*)"')


def samples(exposition: str) -> list[tuple[str, dict[str, str], float]]:
    """`name{labels} value` lines of the Prometheus text format (comments skipped)."""
    parsed = []
    for line in exposition.splitlines():
        if not line or line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        assert match, f"not a sample line: {line!r}"
        labels = {label["key"]: label["value"] for label in LABEL.finditer(match["labels"] or "")}
        parsed.append((match["name"], labels, float(match["value"])))
    return parsed


def value(exposition: str, name: str, **labels: str) -> float:
    return sum(
        sample_value
        for sample_name, sample_labels, sample_value in samples(exposition)
        if sample_name == name and labels.items() <= sample_labels.items()
    )


def find_promtool() -> str:
    """promtool from PATH, else from Debian's `prometheus` package unpacked (not installed) into a cache."""
    on_path = shutil.which("promtool")
    if on_path:
        return on_path
    cached = PROMTOOL_CACHE / "usr" / "bin" / "promtool"
    PROMTOOL_CACHE.mkdir(parents=True, exist_ok=True)
    # pytest-xdist workers may get here together: one unpacks while the others wait (running a binary that is still
    # being written fails with "Text file busy").
    with (PROMTOOL_CACHE / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not cached.exists():
            unpack_promtool(cached)
    return str(cached)


def unpack_promtool(cached: Path) -> None:
    download = ["apt-get", "download", "prometheus"]
    result = subprocess.run(download, cwd=PROMTOOL_CACHE, capture_output=True, text=True, check=False)
    if result.returncode != 0 and os.geteuid() == 0:
        # A clean machine may have no package lists yet.
        subprocess.run(["apt-get", "update", "-qq"], capture_output=True, check=False, timeout=300)
        result = subprocess.run(download, cwd=PROMTOOL_CACHE, capture_output=True, text=True, check=False)
    packages = sorted(PROMTOOL_CACHE.glob("prometheus_*.deb"))
    assert result.returncode == 0, f"could not download Debian's prometheus package: {result.stderr}"
    assert packages, "apt-get download left no prometheus_*.deb"
    subprocess.run(["dpkg-deb", "-x", str(packages[-1]), str(PROMTOOL_CACHE)], check=True)
    packages[-1].unlink()
    # Only promtool is needed; the server binary and the web assets are most of the package.
    shutil.rmtree(PROMTOOL_CACHE / "usr" / "share", ignore_errors=True)
    (PROMTOOL_CACHE / "usr" / "bin" / "prometheus").unlink(missing_ok=True)
    assert cached.exists(), "the prometheus package holds no usr/bin/promtool"


@pytest.fixture(scope="session")
def promtool() -> str:
    return find_promtool()


def assert_promtool_accepts(promtool: str, exposition: str) -> None:
    result = subprocess.run(
        [promtool, "check", "metrics"], input=exposition, capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, f"promtool check metrics failed:\n{result.stdout}{result.stderr}"
    assert not result.stdout.strip(), f"promtool lint findings:\n{result.stdout}"


FRAMEWORKS = QUESTION_VALUES["framework"]


# Each framework on each server: worker processes are the server's (uvicorn's or granian's command line).
METRICS_VARIANTS = [(framework, server) for server in QUESTION_VALUES["server"] for framework in FRAMEWORKS]


def metrics_answers(framework: str, server: str) -> dict[str, object]:
    answers: dict[str, object] = {"framework": framework, "use_prometheus": True}
    if server != "uvicorn":  # the default stays unnamed: the same render as the other modules' default variants
        answers["server"] = server
    return answers


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(variant, id="-".join(variant), marks=variant_group(metrics_answers(*variant)))
        for variant in METRICS_VARIANTS
    ],
)
def metrics_project(projects: ProjectFactory, request: pytest.FixtureRequest) -> RenderedProject:
    return projects.installed(**metrics_answers(*request.param))


@pytest.fixture
def service(metrics_project: RenderedProject, tmp_path: Path) -> Iterator[Service]:
    running = start_service(metrics_project, tmp_path, RATE_LIMIT_DEFAULT="3/minute")
    yield running
    running.kill()


def test_metrics_use_route_templates_and_pass_promtool(service: Service, promtool: str) -> None:
    with service.client() as client:
        created = client.post("/api/v1/items", json={"name": "Metered kettle", "price_cents": 1200})
        assert created.status_code == 201
        item_id = created.json()["id"]
        assert client.get(f"/api/v1/items/{item_id}").status_code == 200
        assert client.get(f"/api/v1/items/{uuid.uuid4()}").status_code == 404
        for path in ("/no/such/page", f"/wp-admin/{uuid.uuid4()}.php"):
            assert client.get(path).status_code == 404
        assert client.head("/health/live").status_code == 200
        # Scraped more often than the (lowered) default rate limit allows: /metrics is never limited.
        responses = [client.get("/metrics") for _ in range(5)]
    assert [response.status_code for response in responses] == [200] * 5
    metrics = responses[-1]
    assert metrics.headers["content-type"].startswith("text/plain")
    assert metrics.headers["x-content-type-options"] == "nosniff"
    text = metrics.text

    route = "/api/v1/items/{item_id}"
    assert value(text, "http_requests_total", method="GET", route=route, status="200") == 1
    assert value(text, "http_requests_total", method="GET", route=route, status="404") == 1
    assert value(text, "http_requests_total", method="POST", route="/api/v1/items", status="201") == 1
    assert value(text, "http_requests_total", method="HEAD", route="/health/live", status="200") == 1
    assert value(text, "http_requests_total", method="GET", route="<unmatched>", status="404") == 2
    assert value(text, "http_request_duration_seconds_count", method="GET", route=route) == 2
    assert value(text, "http_request_duration_seconds_bucket", method="GET", route=route, le="+Inf") == 2
    assert value(text, "http_requests_in_progress") == 1  # the scrape itself
    assert "# TYPE rate_limit_degraded_total counter" in text
    assert "# TYPE process_resident_memory_bytes gauge" in text
    # No id, no raw path ever becomes a label value.
    routes = {labels.get("route") for _, labels, _ in samples(text) if "route" in labels}
    assert item_id not in text
    assert "/no/such/page" not in text
    assert routes <= {"/api/v1/items", route, "/health/live", "/metrics", "<unmatched>"}

    assert_promtool_accepts(promtool, text)


def test_metrics_are_not_in_the_openapi_document(service: Service) -> None:
    with service.client() as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert "/metrics" not in paths


def test_two_workers_add_up_in_multiprocess_mode(
    metrics_project: RenderedProject, tmp_path: Path, promtool: str
) -> None:
    multiproc_dir = tmp_path / "prometheus"
    headers = {
        "connection": "close",
        **(bearer(auth=metrics_project.answers["auth"]) if uses_tokens(metrics_project.answers) else {}),
    }
    with two_workers(metrics_project, tmp_path, LOG_FORMAT="json") as base_url:

        def one_request(_: int) -> int:
            # A new connection each time, so the kernel hands requests to both workers.
            return httpx.get(f"{base_url}/api/v1/items", headers=headers, timeout=10).status_code

        # The kernel spreads connections unevenly on a loaded machine: send batches until both workers have served.
        requests = 0
        workers: set[str] = set()
        with ThreadPoolExecutor(max_workers=8) as pool:
            while len(workers) < 2 and requests < 600:
                statuses = list(pool.map(one_request, range(60)))
                assert statuses == [200] * 60
                requests += 60
                workers = {path.stem.rsplit("_", 1)[-1] for path in multiproc_dir.glob("counter_*.db")}
        assert len(workers) == 2, f"expected both workers to have served requests, saw pids {workers}"
        text = httpx.get(f"{base_url}/metrics", timeout=10).text
        assert value(text, "http_requests_total", method="GET", route="/api/v1/items", status="200") == requests
        assert value(text, "http_request_duration_seconds_count", method="GET", route="/api/v1/items") == requests
        assert_promtool_accepts(promtool, text)
    # Workers that stopped cleanly forget their in-flight gauge (it must not be summed in after a restart).
    assert not list(multiproc_dir.glob("gauge_livesum_*.db")), (tmp_path / "workers.log").read_text()


@contextmanager
def two_workers(project: RenderedProject, directory: Path, **settings: str) -> Iterator[str]:
    """The service under its server with two worker processes and PROMETHEUS_MULTIPROC_DIR=`directory/prometheus` (empty
    before start, as the README requires), once both workers have started; its base URL. Stopped after."""
    multiproc_dir = directory / "prometheus"
    multiproc_dir.mkdir()
    port = free_port()
    env = project.env(
        **service_auth(project.answers),
        PROMETHEUS_MULTIPROC_DIR=str(multiproc_dir),
        ENVIRONMENT="test",
        PYTHONUNBUFFERED="1",
        **settings,
    )
    if project.answers.get("server") == "granian":  # the command core/server.py's `worker_app` documents
        command = [
            str(project.venv_python), "-m", "granian", "--interface", "asgi", "--factory", "--workers", "2",
            "--host", "127.0.0.1", "--port", str(port), "--http1-buffer-size", "65536",
            f"{project.package}.core.server:worker_app",
        ]  # fmt: skip
        started_line = "Started worker-"
    else:
        command = [
            str(project.venv_python), "-m", "uvicorn", f"{project.package}.server:app_from_environment",
            "--factory", "--workers", "2", "--host", "127.0.0.1", "--port", str(port), "--no-server-header",
            "--no-access-log",
        ]  # fmt: skip
        started_line = "Application startup complete"
    log_path = directory / "workers.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=directory, env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_live(base_url, process, log_path)
        # The first live answer may come while the second worker is still importing: wait for both.
        deadline = time.monotonic() + 30
        while log_path.read_text().count(started_line) < 2:
            assert time.monotonic() < deadline, f"the second worker did not start:\n{log_path.read_text()}"
            time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_until_live(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server exited early:\n{log_path.read_text()}"
        try:
            if httpx.get(f"{base_url}/health/live", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"workers did not become live within 30 s:\n{log_path.read_text()}")


@pytest.mark.parametrize("framework", framework_params(use_prometheus=False))
def test_without_prometheus_nothing_of_it_is_rendered(projects: ProjectFactory, framework: str) -> None:
    project = projects.render(**{"framework": framework, "use_prometheus": False})
    package = project.path / "src" / project.package
    assert not (package / "integrations" / "prometheus.py").exists()
    assert not (package / "integrations" / "metrics.py").exists()
    assert not (package / "api" / "metrics.py").exists()
    assert not (project.path / "tests" / "test_metrics.py").exists()
    assert "prometheus" not in (project.path / "pyproject.toml").read_text()
    assert "PROMETHEUS_MULTIPROC_DIR" not in (project.path / ".env.example").read_text()
