"""Run what a rendered project ships for testing a deployed service: `make e2e` and `make loadtest`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ..bearer import token, uses_tokens
from ..conftest import RenderedProject, uv_binary

E2E_SUBJECT = "end-to-end-suite"  # a rate-limit budget of its own in variants with tokens


def credentials(project: RenderedProject) -> dict[str, str]:
    """What the shipped suites read to call the API of this variant's service as a client with every scope."""
    if not uses_tokens(project.answers):
        return {}
    return {"E2E_TOKEN": token(subject=E2E_SUBJECT, auth=project.answers["auth"])}


def make(
    project: RenderedProject, target: str, url: str, *, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    make_binary = shutil.which("make")
    assert make_binary is not None, "make is not installed"
    return subprocess.run(
        [make_binary, "--no-print-directory", target, f"URL={url}", f"UV={uv_binary()}"],
        cwd=project.path,
        env=project.env(**credentials(project), **env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def planted_fault_overlay(project: RenderedProject, directory: Path) -> Path:
    """A copy of the project's package whose security headers are wrong (X-Frame-Options: SAMEORIGIN), for
    PYTHONPATH: it comes before the project's own (editable) install, so the service starts from the copy."""
    source = project.path / "src" / project.package
    overlay = directory / "planted-fault"
    shutil.copytree(source, overlay / project.package, ignore=shutil.ignore_patterns("__pycache__"))
    headers = overlay / project.package / "core" / "middleware" / "security_headers.py"
    text = headers.read_text()
    assert '"X-Frame-Options": "DENY"' in text, "the fault to plant is not where it was: update this helper"
    headers.write_text(text.replace('"X-Frame-Options": "DENY"', '"X-Frame-Options": "SAMEORIGIN"'))
    return overlay
