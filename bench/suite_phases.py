"""Template test suite wall time, split by phase (test module) and by test function.

    uv run python bench/suite_phases.py                     # runs scripts/test with a JUnit report, then splits it
    uv run python bench/suite_phases.py --junit report.xml  # splits an existing report (e.g. from CI)
    uv run python bench/suite_phases.py -- -k contract      # extra arguments after -- go to pytest

Times are pytest's per-test totals (setup + call + teardown): a session fixture (rendering, `uv sync` of a
variant) is charged to the first test that needs it, which is where that work really happens in the run.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO_ROOT, machine_description

# What each module of the template's suite does, for the report.
PHASES = {
    "tests.test_render": "static render checks (every answer, one at a time)",
    "tests.test_rendered_checks": "rendered projects: uv sync, ruff, mypy --strict, their own pytest",
    "tests.contract.test_contract": "contract suite against running services",
    "tests.contract.test_auth_contract": "contract: bearer tokens, scopes, deployed-key refusals",
    "tests.contract.test_database_contract": "contract: the database across processes, paging, migrations",
    "tests.contract.test_docs_contract": "contract: docs pages and their policy",
    "tests.contract.test_e2e_suite": "contract: the shipped `make e2e` and `make loadtest`",
    "tests.contract.test_observability_contract": "contract: metrics and Sentry events",
    "tests.contract.test_rate_limit_contract": "contract: rate-limit headers and 429s",
    "tests.contract.test_runserver_contract": "contract: Django's runserver",
    "tests.test_schemathesis": "schemathesis against a running service",
    "tests.test_docs_site": "mkdocs build --strict",
    "tests.test_quickstart": "README quick start, as a user runs it",
    "tests.test_update": "copier update and migrations",
    "tests.test_update_revocation": "copier update: the revoked-token table, jwt then users",
    "tests.test_new_resource": "a new resource added as the README says, then the project's checks",
    "tests.test_bench": "benchmark harness smoke runs",
    "tests.test_delivery": "Dockerfile, compose, CI files, Kubernetes manifests, image build",
    "tests.test_docs_ui": "docs UI in a real Chromium",
    "tests.test_api_parity": "both frameworks answer alike",
    "tests.test_django": "Django-only commands and settings",
    "tests.test_metrics": "Prometheus metrics from real worker processes, promtool",
    "tests.test_rate_limiting": "rate limiting with Redis failing and recovering",
    "tests.test_core_redis": "Redis restarts and readiness",
}


def run_suite(junit: Path, pytest_args: list[str]) -> float:
    command = [str(REPO_ROOT / "scripts" / "test"), "-q", f"--junitxml={junit}", *pytest_args]
    print("running:", " ".join(command), flush=True)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=REPO_ROOT, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):  # 1: some tests failed, the report is still worth reading
        raise SystemExit(f"scripts/test exited with {result.returncode}")
    return elapsed


def split(junit: Path) -> tuple[float, dict[str, list[float]], dict[str, list[float]], dict[str, int]]:
    root = ET.parse(junit).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    reported = sum(float(suite.get("time", 0)) for suite in suites)
    by_module: dict[str, list[float]] = defaultdict(list)
    by_function: dict[str, list[float]] = defaultdict(list)
    outcomes: dict[str, int] = defaultdict(int)
    for case in root.iter("testcase"):
        seconds = float(case.get("time", 0))
        module = case.get("classname", "?")
        function = re.sub(r"\[.*\]$", "", case.get("name", "?"))
        by_module[module].append(seconds)
        by_function[f"{module.rsplit('.', 1)[-1]}::{function}"].append(seconds)
        outcome = next((child.tag for child in case if child.tag in ("failure", "error", "skipped")), "passed")
        outcomes[outcome] += 1
    return reported, by_module, by_function, outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--junit", help="an existing JUnit XML report to split instead of running the suite")
    parser.add_argument("--top", type=int, default=12, help="test functions to list (default 12)")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args(argv)

    print(machine_description(), flush=True)
    wall = None
    with tempfile.TemporaryDirectory(prefix="bench-suite-") as tmp:
        junit = Path(args.junit) if args.junit else Path(tmp) / "junit.xml"
        if not args.junit:
            wall = run_suite(junit, args.pytest_args)
        reported, by_module, by_function, outcomes = split(junit)

    counted = sum(sum(times) for times in by_module.values())
    print()
    if wall is not None:
        print(f"scripts/test wall time: {wall:.1f} s (uv sync, ruff and pytest start-up included)")
    print(f"pytest session: {reported:.1f} s; {', '.join(f'{n} {kind}' for kind, n in sorted(outcomes.items()))}")
    print(f"\n  {'phase (module)':<34} {'tests':>5} {'seconds':>8} {'share':>6}  what")
    for module, times in sorted(by_module.items(), key=lambda item: -sum(item[1])):
        total = sum(times)
        print(
            f"  {module.removeprefix('tests.'):<34} {len(times):>5} {total:>8.1f} {total / max(counted, 1e-9):>6.0%}"
            f"  {PHASES.get(module, '')}"
        )
    print("\n  slowest test functions (all parameters together)")
    for name, times in sorted(by_function.items(), key=lambda item: -sum(item[1]))[: args.top]:
        print(f"  {name:<70} {len(times):>4} x {sum(times):>7.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
