"""Post-copy task: create `uv.lock` in a freshly generated project, so its first commit pins every version.

Why a task and not a rendered file: the lock belongs to the project. The template never renders `uv.lock`, so
`copier update` never touches it (copier only updates files the template renders); the team relocks with
`uv lock` when pyproject.toml changes (CI's `uv sync --locked` says so when they forget). The Dockerfile and the CI
pipelines install with `--locked`, so they need this file from the first commit on.

Never fails the copy: without uv, or offline, it prints what to run instead (the project is still complete).
Usage (from copier.yml `_tasks`, run in the new project): lock.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys


def uv_command() -> list[str] | None:
    found = shutil.which("uv")
    if found:
        return [found]
    try:  # copier installed next to the `uv` Python package (pipx/uv tool with uv as a dependency)
        from uv import find_uv_bin  # type: ignore[import-not-found]

        return [find_uv_bin()]
    except (ImportError, FileNotFoundError):
        return None


def lock(uv: list[str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*uv, "lock", "--quiet"], capture_output=True, text=True, check=False)
    if result.returncode != 0 and os.environ.get("UV_PYTHON"):
        # A UV_PYTHON meant for another project (e.g. an older interpreter) must not stop the lock: the project's
        # .python-version decides which interpreter uv resolves for.
        env = {key: value for key, value in os.environ.items() if key != "UV_PYTHON"}
        result = subprocess.run([*uv, "lock", "--quiet"], capture_output=True, text=True, check=False, env=env)
    return result


def main() -> int:
    uv = uv_command()
    if uv is None:
        print("uv is not installed: run `uv lock` in the project before the first commit.", file=sys.stderr)
        return 0
    result = lock(uv)
    if result.returncode != 0:
        print(
            "`uv lock` failed; run it in the project before the first commit:\n" + result.stderr.strip(),
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
