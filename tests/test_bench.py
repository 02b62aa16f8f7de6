"""The benchmark harnesses keep working (they are run on demand, never timed here): a smoke run of each."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO_ROOT, ProjectFactory, RenderedProject, variant_params

BENCH = REPO_ROOT / "bench"


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
