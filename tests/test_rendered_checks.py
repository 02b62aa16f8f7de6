"""The rendered projects' own quality bar, run inside each: uv sync, ruff, mypy --strict, pytest (coverage >= 90%).

Runs for the deep variants of this run (tests/variants.py `deep_variants_to_run`: the default and one other, by the
commit; ALL_VARIANTS=1 runs all, TEMPLATE_VARIANTS names a shard); the other deep variant's whole suite on one commit
in two (`runs_deep_suites`: a grown default's on the others).
One variant runs its suite saturated (`SATURATED`): its two workers, services and databases on a single core
(`on_one_core`). A team's CI runner is a busy machine, and a suite that passes only on a quiet one trains people to
rerun red builds. The framework whose variant it is alternates with
the slot of the commit under test (one deep variant besides the default per run, the frameworks alternating by slot).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest

from .conftest import ProjectFactory, RenderedProject, variant_params
from .variants import QUESTION_VALUES, Answers, deep_variants_to_run, runs_deep_suites, variant_id, with_defaults

pytestmark = pytest.mark.slow

DEEP_VARIANTS = variant_params(deep_variants_to_run())

# Variants whose whole suite runs elsewhere, on a superset of the render: tests/test_new_resource.py grows the
# default render by a second resource, then runs its `make check` (ruff, mypy --strict, every test, coverage >= 90 %)
# on the commits whose other deep variant is Django's (`grown_suite_frameworks`).
SUITE_RUN_GROWN = {"default"}


def saturated_frameworks() -> list[str]:
    """SATURATED_FRAMEWORKS (comma-separated, e.g. `fastapi,django`) if set, else every framework: the run's deep
    variants choose among them (one other than the default per commit, the frameworks alternating by slot)."""
    frameworks = [str(framework) for framework in QUESTION_VALUES["framework"]]
    if given := os.environ.get("SATURATED_FRAMEWORKS"):
        chosen = [name.strip() for name in given.split(",") if name.strip()]
        unknown = set(chosen) - set(frameworks)
        if unknown:
            raise ValueError(f"SATURATED_FRAMEWORKS names no framework of the template: {sorted(unknown)}")
        return chosen
    return frameworks


def saturated_variants() -> set[str]:
    """For each saturated framework, the deep variant of this run (not the default, whose suite runs grown) whose
    suite has the most to lose on a busy machine: the docs UI signing in from Chromium (Swagger UI), Redis, the
    service's own users, in that order of preference."""
    chosen = set()
    for framework in saturated_frameworks():
        variants = [
            answers
            for answers in (with_defaults(v) for v in deep_variants_to_run())
            if answers["framework"] == framework and variant_id(answers) not in SUITE_RUN_GROWN
        ]

        def preference(answers: Answers) -> tuple[bool, bool, bool]:
            return (answers["docs_ui"] == "swagger", bool(answers["use_redis"]), answers["auth"] == "users")

        if variants:  # none when this run's only deep variant of the framework is the default
            chosen.add(variant_id(max(variants, key=preference)))
    return chosen


SATURATED = saturated_variants()


@contextlib.contextmanager
def on_one_core() -> Iterator[None]:
    """The block's processes confined to one core, as on a CI runner busy with other jobs: the suite's two workers, the
    service processes, workers and databases they start (each inherits the CPU affinity of the thread that starts it)
    take turns on a single core, while the template's other worker keeps the other. Spinners did the same at a price:
    one at normal priority took a third of the cores from the template's other worker for as long as the suite ran
    (1,190 s of a 53-minute run, 851 s of a 47-minute one)."""
    cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cores)})
    try:
        yield
    finally:
        os.sched_setaffinity(0, cores)


@pytest.fixture(scope="module", params=DEEP_VARIANTS)
def project(request: pytest.FixtureRequest, projects: ProjectFactory) -> RenderedProject:
    return projects.installed(**request.param)


def test_lock_and_install(project: RenderedProject) -> None:
    assert project.venv_python.exists()
    assert (project.path / "uv.lock").exists()


def test_ruff_check(project: RenderedProject) -> None:
    project.uv("run", "--no-sync", "ruff", "check", "--no-cache", ".")


def test_ruff_format(project: RenderedProject) -> None:
    project.uv("run", "--no-sync", "ruff", "format", "--check", "--no-cache", ".")


def test_mypy_strict(project: RenderedProject) -> None:
    result = project.uv("run", "--no-sync", "mypy")  # incremental on the cache of its framework (conftest)
    assert "Success: no issues found" in result.stdout


def test_own_test_suite_with_coverage(project: RenderedProject, tmp_path: Path) -> None:
    if variant_id(project.answers) in SUITE_RUN_GROWN:
        pytest.skip("its suite runs grown by a resource, in tests/test_new_resource.py")
    if not runs_deep_suites():
        pytest.skip("this commit's whole rendered suite is a grown default's (tests/variants.py, whole_suite_turn)")
    # Two workers, as `make check` runs them: a suite spends ~40 % of its time waiting on its service processes and
    # databases (Django default alone: 86 s wall / 52 CPU s in one process, 49 s / 58 CPU s with two), so two suites
    # on the template's two workers still leave the cores room.
    workers = "2"
    # Read from the reports, not the terminal: a suite's terminal output through a pipe was once seen missing its
    # last part (coverage table included) although the run passed.
    reports = tmp_path
    busy = on_one_core() if variant_id(project.answers) in SATURATED else contextlib.nullcontext()
    with busy:
        # Unbuffered, and every test still running after 240 s dumps its threads' stacks: when the run is killed at
        # its timeout, the failure shows how far it got and where it waits (a block-buffered pipe lost all of it
        # once, a saturated suite killed at 600 s). 1,800 s: the saturated suite has one core for all of its processes
        # (851 s was reached on a slow runner with spinners taking a share of both cores).
        result = project.uv(
            "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider", "-n", workers,
            "-o", "faulthandler_timeout=240",
            f"--cov-report=json:{reports / 'coverage.json'}", f"--junitxml={reports / 'junit.xml'}",
            env={"PYTHONUNBUFFERED": "1"}, timeout=1800,
        )  # fmt: skip
    assert result.returncode == 0
    totals = json.loads((reports / "coverage.json").read_text())["totals"]
    assert float(totals["percent_covered_display"]) >= 90, totals  # rounded as the gate rounds it
    suite = ElementTree.parse(reports / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    assert int(suite.get("tests", "0")) - int(suite.get("skipped", "0")) > 100, suite.attrib
    assert suite.get("failures") == "0", suite.attrib
    assert suite.get("errors") == "0", suite.attrib
