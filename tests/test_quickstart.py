"""The README's quick start works: `scripts/demo` renders the default service into a folder and starts it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from .conftest import REPO_ROOT
from .contract.service import free_port

pytestmark = pytest.mark.slow


def test_demo_renders_and_serves(tmp_path: Path) -> None:
    port = free_port()
    destination = tmp_path / "demo"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "PYTEST"))}
    # .ci/run exports the template's own interpreter (3.11); the demo project must pick its own version.
    env["UV_PYTHON"] = sys._base_executable
    env["PORT"] = str(port)
    log = (tmp_path / "demo.log").open("w")
    process = subprocess.Popen(
        [str(REPO_ROOT / "scripts" / "demo"), str(destination)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        response = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert response is not None, (tmp_path / "demo.log").read_text()[-4000:]
        assert response.status_code == 200
        assert (destination / ".copier-answers.yml").exists()
        assert (destination / "uv.lock").exists()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
