"""Post-copy task: on a real first copy, create `uv.lock` and print the next steps, saying what really happened.

Why a task and not a rendered file: the lock belongs to the project. The template never renders `uv.lock`, so
`copier update` never touches it; the team relocks with `uv lock` when pyproject.toml changes (CI's
`uv sync --locked` says so when they forget). The Dockerfile and the CI pipelines install with `--locked`, so they
need this file from the first commit on.

`copier recopy` runs this task too (copier calls a recopy a copy): a project that already has `uv.lock` is not a
first copy, so its lock is left alone and no first-time steps (cd, git init) are printed.

Never fails the copy: without uv, or offline, it says so and what to run instead (the project is still complete).
Usage (from copier.yml `_tasks`, run in the new project): after_copy.py <destination> <package> <quiet|verbose>
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def uv_command() -> list[str] | None:
    # Copier installed next to the `uv` Python package (pipx/uv tool with uv as a dependency): that binary is real.
    try:
        from uv import find_uv_bin  # type: ignore[import-not-found]

        return [find_uv_bin()]
    except (ImportError, FileNotFoundError):
        pass
    # A pyenv shim is no uv: in a project whose .python-version differs it fails ("pyenv: uv: command not found").
    found = shutil.which("uv")
    return [found] if found and "/shims/" not in found else None


def installed_interpreters(version: str) -> list[str]:
    """Interpreters of the project's Python version that pyenv installed but no PATH names (uv never downloads one
    here: UV_PYTHON_DOWNLOADS may be `never`), newest first."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    found = [path for path in root.glob(f"{version}.*/bin/python{version}") if os.access(path, os.X_OK)]
    return [str(path) for path in sorted(found, key=lambda path: path.parts[-3], reverse=True)]


def lock(uv: list[str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*uv, "lock", "--quiet"], capture_output=True, text=True, check=False)
    if result.returncode == 0:
        return result
    # A UV_PYTHON meant for another project (e.g. an older interpreter) must not stop the lock, nor a shell whose PATH
    # has no interpreter of the project's version: the project's .python-version decides which one uv resolves for.
    env = {key: value for key, value in os.environ.items() if key != "UV_PYTHON"}
    version_file = Path(".python-version")
    version = version_file.read_text().strip() if version_file.is_file() else ""
    for python in [None, *installed_interpreters(version)] if version else [None]:
        retry_env = env if python is None else {**env, "UV_PYTHON": python}
        result = subprocess.run([*uv, "lock", "--quiet"], capture_output=True, text=True, check=False, env=retry_env)
        if result.returncode == 0:
            break
    return result


def create_lock() -> str | None:
    """Lock the project; None when `uv.lock` was written, else why not (for the user, with what to run)."""
    uv = uv_command()
    if uv is None:
        return (
            "No uv found (a pyenv shim does not count), so uv.lock was not created: install uv, then run `uv lock` "
            "in the project."
        )
    result = lock(uv)
    if result.returncode != 0 or not Path("uv.lock").is_file():
        return "`uv lock` failed, so uv.lock was not created; run it in the project:\n  " + result.stderr.strip()
    return None


def next_steps(destination: str, package: str, locked: bool) -> list[str]:
    steps = [f"cd {destination}"]
    lock_note = "   # uv.lock included" if locked else ""
    first_commit = 'git add -A && git commit -m "Initial commit from production-api-template"' + lock_note
    steps.append(first_commit if Path(".git").exists() else f"git init && {first_commit}")
    if not locked:
        steps.append("uv lock                       # pin every dependency (it failed above)")
    steps += [
        "uv sync                       # create .venv and install what uv.lock pins",
        "cp .env.example .env          # local settings (never committed)",
        f"uv run python -m {package}   # serves http://127.0.0.1:8000",
        "make dev                      # the same, reloading on every source change",
        "make check                    # ruff, mypy --strict, pytest with coverage",
    ]
    return steps


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print("usage: after_copy.py <destination> <package> <quiet|verbose>", file=sys.stderr)
        return 2
    destination, package, quiet = argv[1], argv[2], argv[3] == "quiet"
    if Path("uv.lock").exists():
        # Not a first copy (a recopy, or a copy over an existing project): the lock is the team's.
        if not quiet:
            print("uv.lock kept as it was (run `uv lock` if pyproject.toml changed).")
        return 0
    problem = create_lock()
    if problem:
        print(problem, file=sys.stderr)
    if not quiet:
        print("uv.lock created." if problem is None else "")
        print("Next steps:")
        for step in next_steps(destination, package, locked=problem is None):
            print(f"  {step}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
