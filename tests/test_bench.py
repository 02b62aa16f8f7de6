"""The benchmark harnesses keep working (they are run on demand, never timed here): a smoke run of each."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO_ROOT, ProjectFactory, RenderedProject, variant_group, variant_params
from .variants import in_turn

BENCH = REPO_ROOT / "bench"


def share(turn: int) -> pytest.MarkDecorator:
    """One of two shares of the harnesses that install a variant of their own (jobs off, a cached or SQLite jwt
    render), run on alternate commits (`in_turn`); the others run on every commit. ALL_VARIANTS=1 runs all."""
    return pytest.mark.skipif(not in_turn(turn), reason="its share of the harness smoke runs runs on other commits")


# The comparison apps each framework's harness starts next to the rendered service.
COMPARISON_APPS = {"fastapi": {"bare", "basehttp", "floor", "floor1"}, "django": {"bare", "floor"}}


@pytest.mark.slow
@pytest.mark.parametrize("variant", variant_params([{}, {"framework": "django"}]))
def test_middleware_harness_smoke_run(projects: ProjectFactory, tmp_path: Path, variant: dict[str, object]) -> None:
    """One 1-second run per app and endpoint against an installed variant of each framework: the harness starts
    every app, creates the item (Django: migrates the temporary SQLite first), checks the production shape and the
    JSON access lines, and reports every ratio."""
    project: RenderedProject = projects.installed(**variant)
    framework = str(project.answers["framework"])
    out = tmp_path / "middleware.json"
    result = subprocess.run(
        [
            sys.executable,
            str(BENCH / "middleware.py"),
            *("--project", str(project.path), "--json", str(out)),
            *("--runs", "1", "--duration", "1", "--warmup", "0", "--connections", "8"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=project.env(),
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    report = json.loads(out.read_text())
    assert report["framework"] == framework
    others = COMPARISON_APPS[framework]
    for endpoint in ("/health/live", "GET /api/v1/items/{id}"):
        assert set(report["summary"][endpoint]) == {"rendered", *others}
        for figures in report["summary"][endpoint].values():
            assert figures["requests_per_s"] > 0
            assert 0 < figures["p50_ms"] <= figures["p99_ms"]
            assert figures["cpu_us_per_request"] > 0
        assert set(report["ratios"][endpoint]) == others
    assert "ratio rendered/bare:" in result.stdout


def _bench(script: str, project: RenderedProject, *arguments: str, timeout: int = 600) -> str:
    result = subprocess.run(
        [sys.executable, str(BENCH / script), *arguments],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=project.env(),
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result.stdout


@pytest.mark.slow
@variant_group({"auth": "jwt"})
def test_read_paths_prices_every_way_of_reading_an_item(projects: ProjectFactory, tmp_path: Path) -> None:
    """A tiny run against a real PostgreSQL: every read path and every app is priced, and the figures say what
    they must (each way reads through more machinery than floor1's bare asyncpg pool; a request costs more than
    its read)."""
    project = projects.installed(auth="jwt")
    out = tmp_path / "read_paths.json"
    _bench("read_paths.py", project, "--project", str(project.path), "--reads", "50", "--json", str(out))
    figures = json.loads(out.read_text())
    ways = {"session", "session + Core", "Core", "raw asyncpg", "session, raw asyncpg", "floor1"}
    assert set(figures["read_us"]) == ways
    assert set(figures["request_us"]) == {"service", "floor1", *(f"service, {way}" for way in ways - {"floor1"})} | {
        "service, memory"
    }
    assert all(0 < us < 100_000 for us in [*figures["read_us"].values(), *figures["request_us"].values()])
    assert figures["read_us"]["floor1"] < figures["read_us"]["session"]
    assert figures["request_us"]["floor1"] > figures["read_us"]["floor1"]
    assert figures["request_us"]["service, memory"] < figures["request_us"]["service, session"]


@pytest.mark.slow
@share(1)
@variant_group({"auth": "jwt"})  # the variant other modules install too (the cached one is this test's alone)
def test_read_cache_harness_smoke_run(projects: ProjectFactory, tmp_path: Path) -> None:
    """One 1-second run of each server (cache, no cache, Redis down) on a real PostgreSQL and redis-server."""
    cached = projects.installed(auth="jwt", use_redis=True)
    uncached = projects.installed(auth="jwt")
    out = tmp_path / "read_cache.json"
    arguments = ["--cached-project", str(cached.path), "--uncached-project", str(uncached.path), "--json", str(out)]
    arguments += ["--runs", "1", "--duration", "1", "--warmup", "0", "--connections", "8"]
    stdout = _bench("read_cache.py", cached, *arguments)
    summary = json.loads(out.read_text())
    servers = {"cache", "no-cache", "redis-down"}
    assert servers <= set(summary), summary
    for name in servers:
        figures = summary[name]
        assert figures["requests_per_s"] > 0, (name, figures)
        assert 0 < figures["p50_ms"] <= figures["p99_ms"], (name, figures)
        assert figures["cpu_us_per_request"] > 0, (name, figures)
    assert "load average" in stdout


@pytest.mark.slow
@share(1)
@variant_group({"database": "sqlite"})  # rendered by tests/test_render.py there (the jwt one is this test's alone)
def test_accounts_harness_smoke_run(projects: ProjectFactory, tmp_path: Path) -> None:
    """One run of each part: argon2's parameters and times, a login and a refresh through the app, and the item
    route with each kind of token. A login is an argon2 verify and more; a refresh is no argon2 at all."""
    users = projects.installed(database="sqlite")
    jwt = projects.installed(database="sqlite", auth="jwt")
    out = tmp_path / "accounts.json"
    arguments = ["--users-project", str(users.path), "--jwt-project", str(jwt.path), "--json", str(out)]
    _bench("accounts.py", users, *arguments, "--runs", "1", "--requests", "50")
    figures = json.loads(out.read_text())
    assert figures["argon2"]["variant"] == "argon2id"
    assert figures["argon2"]["memory_kib"] >= 19 * 1024  # OWASP's least for argon2id
    assert 0 < figures["verify_ms"] < figures["login_ms"] * 2
    assert 0 < figures["refresh_ms"] < figures["login_ms"]
    assert figures["item_users_us"] > 0
    assert figures["item_jwt_us"] > 0


def test_suite_phases_splits_a_junit_report(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_text(
        '<?xml version="1.0"?><testsuites><testsuite name="pytest" time="9.5">'
        '<testcase classname="tests.test_render" name="test_a[x]" time="1.0"/>'
        '<testcase classname="tests.test_render" name="test_a[y]" time="2.0"/>'
        '<testcase classname="tests.contract.test_contract" name="test_b" time="6.0"><skipped/></testcase>'
        "</testsuite></testsuites>"
    )
    result = subprocess.run(
        [sys.executable, str(BENCH / "suite_phases.py"), "--junit", str(junit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = result.stdout.splitlines()
    assert "pytest session: 9.5 s; 2 passed, 1 skipped" in lines
    contract = next(line for line in lines if line.strip().startswith("contract.test_contract"))
    assert contract.split()[1:4] == ["1", "6.0", "67%"]
    assert any(line.split()[0] == "test_render::test_a" and "3.0 s" in line for line in lines if line.strip())


@pytest.mark.slow
@variant_group({})
def test_fastapi_parts_prices_each_part_of_the_item_route(projects: ProjectFactory, tmp_path: Path) -> None:
    """A tiny run of the default variant (auth=users) against a real PostgreSQL: the whole route, each part taken
    out, and floor1 with and without its read, each with its CPU and its Python calls; the route without a part
    makes fewer calls, and floor1 fewer than the whole route."""
    project = projects.installed()
    out = tmp_path / "fastapi_parts.json"
    arguments = ["--project", str(project.path), "--runs", "1", "--requests", "20", "--json", str(out)]
    stdout = _bench("fastapi_parts.py", project, *arguments)
    figures = json.loads(out.read_text())
    parts = {"token verification and scopes", "default rate limit", "conditional read and ETag"}
    parts |= {"response validation and serialisation", "database read", "layer: RequestTelemetryMiddleware"}
    assert parts | {"whole", "floor1"} <= set(figures["us"]) == set(figures["calls"])
    assert all(0 < us < 100_000 for us in figures["us"].values())
    calls = figures["calls"]
    # Parts that save dozens of calls or more (the others save a handful, within a run's noise): one left in saves none.
    saving = parts - {"conditional read and ETag", "response validation and serialisation"}
    shown = {part: calls[part] for part in [*saving, "whole"]}
    assert all(calls[part] <= calls["whole"] - 20 for part in saving), shown
    # floor1 is bare FastAPI: fewer calls than the whole route, and without their reads, fewer than the route without
    # its read. A route less one part may come under floor1 as the route nears its floor, so that is not compared.
    assert calls["floor1"] < calls["whole"], calls
    assert calls["floor1 without its database read"] < calls["floor1"]
    assert calls["floor1 without its database read"] < calls["database read"], calls
    assert figures["remembered token us"] > 0
    assert "floor1 / rendered" in stdout


# The default answers only: the smoke run installs a jobs=false twin of its variant too, and the CI budget is spent
# (the Django overlay is checked when the bench runs: it refuses to measure an overlay that did not take).
JOBS_BENCH_VARIANTS: list[dict[str, object]] = [{}]


@pytest.mark.slow
@share(0)
@pytest.mark.parametrize("variant", variant_params(JOBS_BENCH_VARIANTS))
def test_jobs_harness_smoke_run(projects: ProjectFactory, tmp_path: Path, variant: dict[str, object]) -> None:
    """One 1-second run of each pair against a real PostgreSQL cluster: the four servers start (two of them with a
    part taken out), the harness checks each overlay took hold (no job for an export, no notification for a write:
    it stops otherwise) and reports every pair with the service's and the cluster's CPU per request."""
    with_jobs = projects.installed(**variant)
    without_jobs = projects.installed(**variant, jobs=False)
    framework = str(with_jobs.answers["framework"])
    out = tmp_path / "jobs.json"
    arguments = ["--jobs-project", str(with_jobs.path), "--no-jobs-project", str(without_jobs.path)]
    arguments += ["--json", str(out), "--runs", "1", "--duration", "1", "--warmup", "0", "--connections", "4"]
    stdout = _bench("jobs.py", with_jobs, *arguments)
    (result,) = json.loads(out.read_text())["results"]
    assert result["framework"] == framework
    assert set(result["pairs"]) == {"defer", "item", "notify"}
    database_cpu = 0.0
    for figures in result["pairs"].values():
        assert set(figures["servers"]) == {figures["measured"], figures["baseline"]}
        for server in figures["servers"].values():
            assert server["requests_per_s"] > 0, figures
            assert 0 < server["p50_ms"] <= server["p99_ms"], figures
            assert server["service_cpu_us_per_request"] > 0, figures
            assert server["log_lines_per_request"] > 0.5, figures  # an access line per request at least
            database_cpu += server["database_cpu_us_per_request"]
        assert figures["requests_per_s_ratio"] > 0
        assert figures["total_cpu_ratio"] > 0
    assert database_cpu > 0  # the cluster's CPU is read (a few ticks at least across six runs of writes and reads)
    assert "jobs / jobs-no-defer:" in stdout
    assert "jobs / no-jobs:" in stdout
