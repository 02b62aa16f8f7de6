"""A rendered project's `make check`, phase by phase: wall time and CPU time (user + sys of every process it starts).

    uv run python bench/check_phases.py                          # the default render (FastAPI, PostgreSQL, users)
    uv run python bench/check_phases.py --data framework=django  # answers as `copier copy --data` takes them
    uv run python bench/check_phases.py --project /tmp/service   # an installed render, as it is
    uv run python bench/check_phases.py --workers 0              # the tests in one process (no pytest-xdist)

Phases are the Makefile's, run the same way (`uv run ...`), plus the tests without coverage, which shows what the
coverage gate costs, and last `make check` itself (lint, then mypy beside the tests) from a cold mypy cache: the
total a team waits for. CPU seconds are less noisy than wall seconds on a shared machine: report both.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import clean_env, machine_description, python_interpreter, render, uv_binary


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(name: str, command: list[str], project: Path, env: dict[str, str]) -> tuple[str, float, float, str]:
    cpu_before, started = children_cpu_s(), time.perf_counter()
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)
    wall, cpu = time.perf_counter() - started, children_cpu_s() - cpu_before
    summary = next((line for line in reversed(result.stdout.splitlines()) if " passed in " in line), "")
    if result.returncode != 0:
        failures = result.stdout.find("= FAILURES =")  # pytest's tracebacks come before its long coverage table
        shown = result.stdout[failures : failures + 6000] if failures >= 0 else result.stdout[-4000:]
        raise SystemExit(f"{name} failed (exit {result.returncode}):\n{shown}\n{result.stderr[-4000:]}")
    return name, wall, cpu, summary.strip("= ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", action="append", default=[], help="an answer, key=value (repeatable)")
    parser.add_argument("--project", type=Path, help="an installed rendered project instead of a new render")
    parser.add_argument("--workers", default="auto", help="pytest-xdist workers (default: auto, as make check)")
    args = parser.parse_args(argv)

    print(machine_description(), flush=True)
    uv = uv_binary()
    env = clean_env(UV_PYTHON=python_interpreter("3.12"))
    with tempfile.TemporaryDirectory(prefix="bench-check-") as scratch:
        project = args.project
        rows = []
        if project is None:
            project = Path(scratch) / "service"
            answers = dict(item.split("=", 1) for item in args.data)
            started = time.perf_counter()
            render(project, answers)
            rows.append(("render (copier copy)", time.perf_counter() - started, float("nan"), ""))
            for command in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "rendered"]):
                subprocess.run(command, cwd=project, env=env, check=True, capture_output=True)
            rows.append(timed("make install (uv sync)", [uv, "sync", "--locked", "--compile-bytecode"], project, env))
        run = [uv, "run", "--locked"]
        pytest = [*run, "pytest", "-q", "-p", "no:cacheprovider", "-n", args.workers]
        rows += [
            timed("ruff check", [*run, "ruff", "check", "--no-cache", "."], project, env),
            timed("ruff format --check", [*run, "ruff", "format", "--check", "--no-cache", "."], project, env),
            timed("mypy --strict (no cache)", [*run, "mypy", "--no-incremental"], project, env),
            timed("mypy --strict (cached)", [*run, "mypy"], project, env),
            timed(f"pytest -n {args.workers} (coverage gate)", pytest, project, env),
            timed(f"pytest -n {args.workers} --no-cov", [*pytest, "--no-cov"], project, env),
        ]
        # The total a team waits for: `make check` itself (lint, then mypy beside the tests), mypy's cache removed
        # first as on a fresh checkout or a CI runner; `--workers` does not apply (the project's own settings do).
        shutil.rmtree(project / ".mypy_cache", ignore_errors=True)
        rows.append(timed("make check (no mypy cache)", ["make", "check", f"UV={uv}"], project, env))
    print(f"\n  {'phase':<36} {'wall s':>7} {'CPU s':>7}  tests")
    for name, wall, cpu, summary in rows:
        print(f"  {name:<36} {wall:>7.1f} {cpu:>7.1f}  {summary}")
    print(f"\n  cores: {os.cpu_count()}; load average now {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
