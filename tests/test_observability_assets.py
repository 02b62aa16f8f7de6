"""The Grafana dashboard and Prometheus alert rules a `use_prometheus` render ships in `monitoring/`, and the database
metrics they read: the rules pass `promtool check rules`, the dashboard is a well-formed Grafana dashboard, every
metric either of them names is one a real running service exports, `db_query_duration_seconds` counts the
statements API calls run, and the pool gauges add up over the workers in multiprocess mode.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from .bearer import bearer, uses_tokens
from .conftest import ProjectFactory, RenderedProject, framework_params, variant_param
from .contract.service import Service, free_port, start_service
from .postgres_server import new_database_url, postgres_cluster
from .test_metrics import find_promtool, two_workers, value
from .variants import QUESTION_VALUES, with_defaults

FRAMEWORKS = QUESTION_VALUES["framework"]
DASHBOARD = Path("monitoring") / "grafana-dashboard.json"
ALERTS = Path("monitoring") / "alerts.yml"
REQUIRED_ALERTS = {"HighServerErrorRatio", "HighLatencyP99", "DatabaseUnavailable"}
JOB_ALERTS = {"JobQueueFallingBehind", "HighJobFailureRatio"}
ITEMS_TABLE = {"fastapi": "items", "django": "items_item"}

# PromQL words that are not metric names.
_PROMQL_WORDS = frozenset({
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset",
    "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values",
})  # fmt: skip
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_IDENTIFIER = re.compile(r"(?<![\w:$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()")


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads: identifiers outside label matchers, `by (...)` lists, ranges and
    strings that are neither functions nor PromQL keywords."""
    text = _STRING.sub('""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges, $__rate_interval included
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    return {name for name in _IDENTIFIER.findall(text) if name not in _PROMQL_WORDS}


def test_metric_names_reads_names_not_functions_labels_or_keywords() -> None:
    expr = (
        'histogram_quantile(0.99, sum by (job, le) (rate(http_request_duration_seconds_bucket{route!~"/a|b"}'
        "[$__rate_interval]))) > 1 and sum without (status) (http_requests_in_progress) / on (job) up"
    )
    assert metric_names(expr) == {"http_request_duration_seconds_bucket", "http_requests_in_progress", "up"}


def dashboard_exprs(dashboard: dict[str, Any]) -> list[str]:
    return [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]


def rules_of(path: Path) -> list[dict[str, Any]]:
    return [rule for group in yaml.safe_load(path.read_text())["groups"] for rule in group["rules"]]


def exported_names(exposition: str) -> set[str]:
    """Every series name a `/metrics` page can hold: the families' `# TYPE` lines with their sample suffixes."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "summary": ("_count", "_sum")}
    names = set()
    for line in exposition.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            names.add(name)
            names.update(name + suffix for suffix in suffixes.get(kind, ()))
    return names


def assert_well_formed_dashboard(dashboard: dict[str, Any]) -> None:
    for key in ("title", "uid", "panels", "templating", "schemaVersion", "time"):
        assert key in dashboard, f"the dashboard has no {key!r}"
    assert isinstance(dashboard["schemaVersion"], int)
    assert 0 < len(dashboard["uid"]) <= 40, "Grafana refuses uids longer than 40 characters"
    variables = {variable["name"]: variable for variable in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    for variable in variables.values():
        if variable["type"] == "query":  # e.g. `job`: its values come from the chosen data source too
            assert variable["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, variable["name"]
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids)), f"panel ids repeat: {ids}"
    for panel in dashboard["panels"]:
        for key in ("type", "title", "gridPos", "targets"):
            assert key in panel, f"panel {panel.get('title')!r} has no {key!r}"
        assert set(panel["gridPos"]) == {"h", "w", "x", "y"}
        assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
        # The data source is the variable, never a uid of the author's Grafana: imports work anywhere.
        for holder in (panel, *panel["targets"]):
            assert holder["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        ref_ids = [target["refId"] for target in panel["targets"]]
        assert ref_ids, panel["title"]
        assert len(ref_ids) == len(set(ref_ids)), panel["title"]


@pytest.mark.parametrize(
    "answers",
    [
        variant_param({"framework": "fastapi"}, id="fastapi"),
        variant_param({"framework": "django"}, id="django"),
        variant_param(
            {"framework": "django", "database": "sqlite", "rate_limiting": False}, id="django-sqlite-no-rate-limiting"
        ),
    ],
)
def test_rules_pass_promtool_and_the_dashboard_is_well_formed(
    projects: ProjectFactory, answers: dict[str, Any], tmp_path: Path
) -> None:
    project = projects.render(**answers, use_prometheus=True)
    result = subprocess.run(
        [find_promtool(), "check", "rules", str(project.path / ALERTS)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, f"promtool check rules failed:\n{result.stdout}{result.stderr}"
    alerts = {rule["alert"] for rule in rules_of(project.path / ALERTS)}
    dashboard = json.loads((project.path / DASHBOARD).read_text())
    assert_well_formed_dashboard(dashboard)
    titles = {panel["title"] for panel in dashboard["panels"]}
    has_pool = answers["framework"] == "fastapi" or answers.get("database", "postgresql") == "postgresql"
    rate_limiting = answers.get("rate_limiting", True)
    # What the service cannot export is neither alerted on nor drawn: Django on SQLite has no pool.
    jobs = with_defaults(answers)["jobs"]
    expected = REQUIRED_ALERTS | ({"DatabasePoolSaturated"} if has_pool else set())
    expected |= JOB_ALERTS if jobs else set()
    assert alerts == expected | ({"RateLimitingFailingOpen"} if rate_limiting else set())
    assert ("Database pool" in titles) == has_pool
    assert ("Oldest waiting job" in titles) == jobs
    assert ("Rate limiting" in titles) == rate_limiting
    readme = (project.path / "README.md").read_text()
    assert str(DASHBOARD) in readme
    assert str(ALERTS) in readme


def test_promtool_check_rules_fails_on_a_broken_rule(projects: ProjectFactory, tmp_path: Path) -> None:
    """The check above can fail: a rule with a PromQL syntax error is refused."""
    project = projects.render(framework="fastapi", use_prometheus=True)
    broken = tmp_path / "alerts.yml"
    broken.write_text((project.path / ALERTS).read_text().replace("[5m]))", "[5m])", 1))
    result = subprocess.run([find_promtool(), "check", "rules", str(broken)], capture_output=True, check=False)
    assert result.returncode != 0


@pytest.mark.parametrize("framework", framework_params(use_prometheus=False))
def test_without_prometheus_no_assets_are_rendered(projects: ProjectFactory, framework: str) -> None:
    project = projects.render(framework=framework, use_prometheus=False)
    assert not (project.path / "monitoring").exists()
    assert "grafana" not in (project.path / "README.md").read_text().lower()


@pytest.fixture(scope="module", params=framework_params(use_prometheus=True))
def metrics_project(projects: ProjectFactory, request: pytest.FixtureRequest) -> RenderedProject:
    return projects.installed(framework=request.param, use_prometheus=True)


@pytest.fixture
def service(metrics_project: RenderedProject, tmp_path: Path) -> Iterator[Service]:
    # PostgreSQL: the pool gauges exist only where there is a pool (Django has none on SQLite).
    running = start_service(metrics_project, tmp_path, DATABASE_URL=new_database_url(), MIGRATE_ON_START="true")
    yield running
    running.kill()


def worker_exposition(service: Service, tmp_path: Path) -> str:
    """The `/metrics` of a worker (`python -m <package> worker`) on the service's database: the job metrics."""
    port = free_port()
    env = {**service.env, "JOBS_HEALTH_PORT": str(port), "HOST": "127.0.0.1"}
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [str(service.project.venv_python), "-m", service.project.package, "worker"],
            cwd=tmp_path, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert worker.poll() is None, log.read_text()
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).status_code == 200:
                    return httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
            time.sleep(0.05)
        raise AssertionError(f"the worker was not ready within 60 s:\n{log.read_text()}")
    finally:
        worker.kill()
        worker.wait()


def query_count(exposition: str, operation: str) -> float:
    return value(exposition, "db_query_duration_seconds_count", operation=operation)


@pytest.mark.slow
def test_dashboard_and_rules_name_only_metrics_the_service_exports(
    service: Service, metrics_project: RenderedProject, tmp_path: Path
) -> None:
    with service.client() as client:
        assert client.post("/api/v1/items", json={"name": "Dashboard kettle", "price_cents": 300}).status_code == 201
        assert client.get("/api/v1/items").status_code == 200
        exposition = client.get("/metrics").text
    if metrics_project.answers.get("jobs"):  # the job metrics are the worker's
        exposition += "\n" + worker_exposition(service, tmp_path)
    exported = exported_names(exposition)
    dashboard = json.loads((metrics_project.path / DASHBOARD).read_text())
    used = {name for expr in dashboard_exprs(dashboard) for name in metric_names(expr)}
    used |= {name for rule in rules_of(metrics_project.path / ALERTS) for name in metric_names(rule["expr"])}
    assert {
        "http_requests_total",
        "http_request_duration_seconds_bucket",
        "http_requests_in_progress",
        "rate_limit_degraded_total",
        "db_query_duration_seconds_bucket",
        "db_query_duration_seconds_count",
        "db_pool_connections",
        "db_pool_size",
        *(
            ("jobs_total", "job_duration_seconds_bucket", "jobs_waiting", "jobs_oldest_waiting_age_seconds")
            if metrics_project.answers.get("jobs")
            else ()
        ),
    } <= used, "the assets no longer read what they should (or metric_names lost them)"
    assert used <= exported, f"named in monitoring/ but not exported: {sorted(used - exported)}"


@pytest.mark.slow
def test_api_calls_move_the_query_histogram(service: Service) -> None:
    with service.client() as client:
        before = client.get("/metrics").text
        created = client.post("/api/v1/items", json={"name": "Timed kettle", "price_cents": 500})
        assert created.status_code == 201
        assert client.get(f"/api/v1/items/{created.json()['id']}").status_code == 200
        after = client.get("/metrics").text
    assert query_count(after, "insert") >= query_count(before, "insert") + 1
    assert query_count(after, "select") >= query_count(before, "select") + 1
    assert value(after, "db_query_duration_seconds_bucket", operation="select", le="+Inf") == query_count(
        after, "select"
    )
    assert value(after, "db_query_duration_seconds_sum", operation="select") > 0
    # Bounded labels: the operation kind, never the statement.
    operations = {
        line.split('operation="', 1)[1].split('"', 1)[0] for line in after.splitlines() if "operation=" in line
    }
    assert operations <= {"select", "insert", "update", "delete", "transaction", "other"}, operations


@pytest.mark.slow
def test_pool_gauges_add_up_over_workers_in_multiprocess_mode(metrics_project: RenderedProject, tmp_path: Path) -> None:
    """Two workers, each with its own pool: `/metrics` shows the sum over both whichever worker answers, and it
    counts the connections requests hold in either."""
    framework = metrics_project.answers["framework"]
    database_url = new_database_url()
    cluster = postgres_cluster.shared_cluster()
    database = database_url.rsplit("/", 1)[1]
    multiproc_dir = tmp_path / "prometheus"
    headers = {
        "connection": "close",
        **(bearer(auth=metrics_project.answers["auth"]) if uses_tokens(metrics_project.answers) else {}),
    }
    log_path = tmp_path / "workers.log"
    workers = two_workers(
        metrics_project,
        tmp_path,
        DATABASE_URL=database_url,
        DATABASE_POOL_SIZE="4",
        DATABASE_STATEMENT_TIMEOUT="30000",
        MIGRATE_ON_START="true",
        RATE_LIMIT_ENABLED="false",
    )

    def gauges() -> dict[str, float]:
        text = httpx.get(f"{base_url}/metrics", headers={"connection": "close"}, timeout=10).text
        return {
            "in_use": value(text, "db_pool_connections", state="in_use"),
            "size": value(text, "db_pool_size"),
        }

    def wait_for(condition: str, check: Any) -> dict[str, float]:
        deadline = time.monotonic() + 20
        seen = gauges()
        while not check(seen) and time.monotonic() < deadline:
            time.sleep(0.2)
            seen = gauges()
        assert check(seen), f"{condition}: {seen}\n{log_path.read_text()}"
        return seen

    with workers as base_url:
        # Each worker's pool is DATABASE_POOL_SIZE: the service's is twice that, whoever answers the scrape.
        wait_for("both workers' pool sizes add up", lambda seen: seen["size"] == 8)
        # Connections held in whichever workers the kernel hands the requests to (one pool could hold them all:
        # no request waits for a connection), seen whichever worker answers the scrape.
        held = 4
        with ThreadPoolExecutor(max_workers=held) as pool:
            with cluster.table_locked(database, ITEMS_TABLE[framework]):
                waiting = [
                    pool.submit(httpx.get, f"{base_url}/api/v1/items", headers=headers, timeout=60) for _ in range(held)
                ]
                busy = wait_for("connections held in both workers add up", lambda seen: seen["in_use"] == held)
            assert [future.result().status_code for future in waiting] == [200] * held
        idle = wait_for("given back once answered", lambda seen: seen["in_use"] == 0)
    assert busy["size"] == idle["size"] == 8
    assert not list(multiproc_dir.glob("gauge_livesum_*.db")), "stopped workers' pool gauges must not count"
