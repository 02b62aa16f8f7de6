"""The launcher (`launcher.py`) forks the tests' service processes from an interpreter that has imported the
service's libraries: what each process sees and how it ends must be what `python -m` gives it, or the tests of the
service would test something else. `launched.py` is started both ways and compared."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from coverage import CoverageData

from .launcher import PRELOADED, Launcher
from .processes import FORKED, PACKAGE, launcher

pytestmark = pytest.mark.skipif(not FORKED, reason="the launcher is Linux's (elsewhere a process is a new interpreter)")
PROJECT = Path(__file__).parent.parent  # where `tests.launched` is importable from
MODULE = "tests.launched"
ENVIRONMENT = {
    **{key: value for key, value in os.environ.items() if key.startswith("PYTHON")},  # read as an interpreter starts
    "PATH": os.environ["PATH"],
    "LANG": "C.UTF-8",
    "PYTHONPATH": str(PROJECT / "extra"),  # the one such variable a launched process may have of its own
    "ONLY_HERE": "yes",
}


def both_ways(*arguments: str) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    """The module run by a new interpreter, then by the launcher, with the same environment and directory."""
    started = subprocess.run(
        [sys.executable, "-m", MODULE, *arguments],
        env=ENVIRONMENT,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    forked = launcher().run(MODULE, list(arguments), ENVIRONMENT, cwd=PROJECT, input="", timeout=60)
    return started, forked


def seen(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(result.stdout.splitlines()[0])
    return report


@pytest.mark.parametrize(
    ("end", "status"),
    [(("exit", "0"), 0), (("exit", "3"), 3), (("message",), 1), (("raise",), 1), (("interrupt",), -signal.SIGINT)],
)
def test_a_launched_process_starts_and_ends_as_python_m_would(end: tuple[str, ...], status: int) -> None:
    started, forked = both_ways(*end)
    assert (forked.returncode, started.returncode) == (status, status), forked.stderr
    # What the process wrote first (a message, a traceback's start), and last: what its atexit handler wrote.
    assert forked.stderr.splitlines()[0] == started.stderr.splitlines()[0]
    assert forked.stderr.splitlines()[-1] == started.stderr.splitlines()[-1] == "atexit handlers ran"
    for key in ("argv", "path", "cwd"):
        assert seen(forked)[key] == seen(started)[key], key
    assert seen(forked)["environment"] == ENVIRONMENT  # nothing of the launcher's own


def test_a_launched_process_has_the_libraries_imported_but_not_the_package() -> None:
    _, forked = both_ways("exit", "0")
    modules = seen(forked)["modules"]
    assert set(PRELOADED) <= set(modules)
    assert not [module for module in modules if module.split(".")[0] == PACKAGE]  # imported, and measured, by each


def test_a_launched_process_is_measured_from_its_first_line_as_a_new_interpreter_is(tmp_path: Path) -> None:
    """How `start_service(measured=True)` has coverage measure the service's start: the same lines measured both
    ways, saved at the process's exit."""
    config = tmp_path / "coverage.ini"
    config.write_text(f"[run]\ndata_file = {tmp_path / 'data'}\nparallel = true\n")
    environment = {**ENVIRONMENT, "COVERAGE_PROCESS_START": str(config)}
    started = subprocess.run([sys.executable, "-m", MODULE, "exit", "0"], env=environment, cwd=PROJECT, check=True)
    forked = launcher().run(MODULE, ["exit", "0"], environment, cwd=PROJECT, input="", timeout=60)
    assert (started.returncode, forked.returncode) == (0, 0), forked.stderr
    measured = []
    for data_file in sorted(tmp_path.glob("data.*")):  # one per process
        data = CoverageData(basename=data_file)
        data.read()
        measured.append({Path(name).name: data.lines(name) for name in data.measured_files()}["launched.py"])
    assert len(measured) == 2
    assert measured[0] == measured[1]
    assert measured[0]


def test_the_launcher_refuses_what_only_a_new_interpreter_can_do() -> None:
    with pytest.raises(ValueError, match="PYTHONHASHSEED"):
        launcher().run(MODULE, ["exit", "0"], {**ENVIRONMENT, "PYTHONHASHSEED": "7"}, cwd=PROJECT, input="", timeout=60)


def test_a_signal_ends_a_launched_process_and_its_status_says_which() -> None:
    with open(os.devnull, "r+b") as devnull:
        stdio = (devnull.fileno(),) * 3
        process = launcher().launch(MODULE, ["sleep"], ENVIRONMENT, PROJECT, stdio)
    assert process.poll() is None
    with pytest.raises(subprocess.TimeoutExpired):
        process.wait(timeout=0.1)
    process.terminate()
    assert process.wait(timeout=60) == -signal.SIGTERM


def test_a_stopped_launcher_leaves_no_process_behind() -> None:
    """What a test run that ends (or dies: its end of the socket closes just the same) does to its launcher."""
    own = Launcher()
    with open(os.devnull, "r+b") as devnull:
        process = own.launch(MODULE, ["sleep"], ENVIRONMENT, PROJECT, (devnull.fileno(),) * 3)
    own.stop()
    assert own.process.returncode == 0
    assert process.wait(timeout=0) == -signal.SIGKILL
