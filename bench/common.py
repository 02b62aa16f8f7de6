"""Helpers shared by the benchmark scripts: rendering the template, finding interpreters, machine facts."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


def python_interpreter(version: str) -> str:
    """A real interpreter for `version` (uv cannot download one here): pyenv's, else one on PATH."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    for candidate in sorted((pyenv_root / "versions").glob(f"{version}.*"), reverse=True):
        binary = candidate / "bin" / f"python{version}"
        if binary.exists():
            return str(binary)
    found = shutil.which(f"python{version}")
    if found:
        return found
    raise SystemExit(f"no Python {version} interpreter found (pyenv or PATH)")


def uv_binary() -> str:
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except ImportError:
        found = shutil.which("uv")
        if not found:
            raise SystemExit("uv is not installed (run `uv sync` in the template repo first)") from None
        return found


def copier_command(destination: Path, answers: dict[str, str], vcs_ref: str = "HEAD") -> list[str]:
    """The real `copier copy` command line, as users run it (at HEAD, uncommitted template changes are included)."""
    command = [sys.executable, "-m", "copier", "copy", "--trust", "--defaults", "--vcs-ref", vcs_ref, "--quiet"]
    for key, value in answers.items():
        command += ["--data", f"{key}={value}"]
    return [*command, str(REPO_ROOT), str(destination)]


def render(destination: Path, answers: dict[str, str], vcs_ref: str = "HEAD") -> None:
    result = subprocess.run(copier_command(destination, answers, vcs_ref), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"copier copy failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")


# A service with accounts and jobs sends email, and outside development and test refuses to start without a mail
# server: one nothing here connects to (a benchmark sends no email). Settings a render lacks are ignored.
DEPLOYED_MAIL = {
    "MAIL_SMTP_URL": "smtps://mailer:not-a-real-password@smtp.example.invalid",
    "MAIL_FROM": "Bench <no-reply@example.com>",
    "AUTH_PASSWORD_RESET_URL": "https://app.example.com/reset-password",
}


def clean_env(**extra: str) -> dict[str, str]:
    """The environment minus anything that would point uv or Python at the template repo's own venv."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VIRTUAL_ENV", "PYTEST", "UV_PROJECT", "COV_", "PYTHONPATH"))
    }
    env.update(UV_PYTHON_DOWNLOADS="never", UV_NO_PROGRESS="1")
    env.update(extra)
    return env


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_description() -> str:
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} CPUs ({cpu_model()}), Linux {platform.release()}, "
        f"harness Python {platform.python_version()}, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )


def measured_figure(
    project: Path, script: Path, arguments: list[str], env: dict[str, str], *, echo: bool = False
) -> dict[str, Any]:
    """Run a measuring `script` (bench/apps/) with the rendered `project`'s interpreter, in the project, and return
    the JSON object it prints on its last line; `echo` prints the lines before it. A failed run stops the harness
    with everything the script wrote."""
    command = [str(project / ".venv" / "bin" / "python"), str(script), *arguments]
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{script.name} in {project.name}: exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    *lines, last = result.stdout.strip().splitlines() or [""]
    if echo and lines:
        print("\n".join(lines), flush=True)
    try:
        figures = json.loads(last)
    except json.JSONDecodeError:
        raise SystemExit(f"{script.name} in {project.name} printed no figures:\n{result.stdout}") from None
    if not isinstance(figures, dict):
        raise SystemExit(f"{script.name} in {project.name} printed {last!r}, not an object of figures")
    return figures


def harness_parser(description: str | None) -> argparse.ArgumentParser:
    """The arguments every in-process harness takes: a rendered project, or a template version to render."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", help="a rendered project to use (installed unless it has a .venv)")
    parser.add_argument("--vcs-ref", default="HEAD", help="template version to render (default HEAD, with local edits)")
    parser.add_argument("--data", action="append", default=[], metavar="KEY=VALUE", help="extra copier answers")
    return parser


@contextlib.contextmanager
def harness_project(
    args: argparse.Namespace, *, script: str, framework: str, defaults: tuple[str, ...] = ()
) -> Iterator[tuple[Path, Path]]:
    """The rendered project a harness measures (rendered and installed in a throwaway directory unless `--project`
    names one) and that directory, with the machine's description before and after. `defaults` are copier answers
    `--data` may override; the framework and database=postgresql are fixed (and checked on a given project)."""
    from middleware import answer, prepare_project  # the server harness's helpers (it imports this module)

    args.data = [*defaults, *args.data, f"framework={framework}", "database=postgresql"]
    print(machine_description(), flush=True)
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{Path(script).stem.replace('_', '-')}-"))
    try:
        project = prepare_project(args, workdir)
        if answer(project, "framework") != framework or answer(project, "database") != "postgresql":
            raise SystemExit(f"{script} prices a {framework} render with database=postgresql")
        yield project, workdir
        print(machine_description(), flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
