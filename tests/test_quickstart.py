"""The README's quick start and development loop work: `scripts/demo` renders the default service into a folder and
starts it, and `make dev` serves a rendered project with auto-reload (both frameworks)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import REPO_ROOT, ProjectFactory, framework_params, python_interpreter, uv_binary
from .contract.service import free_port

pytestmark = pytest.mark.slow

DEMO_PASSWORD = "a demo password long enough"
PYENV_SHIM = '#!/bin/sh\necho "pyenv: uv: command not found" >&2\nexit 127\n'


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 240) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            return httpx.get(url, timeout=1)
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"{url} never answered (exit {process.poll()}):\n{log.read_text()[-4000:]}")


def sign_in_as_the_demo_says(printed: str, base_url: str, env: dict[str, str]) -> None:
    """The default service keeps its own users: run the account command the demo printed (the password on standard
    input, as a user types it), log in at the token endpoint and call the API with the token."""
    command = re.search(
        r"^  cd (\S+) && (\S+) run python -m (\w+) users create you@example.com --admin$", printed, re.M
    )
    assert command, printed
    directory, uv, package = command.groups()
    password = DEMO_PASSWORD
    created = subprocess.run(
        [uv, "run", "python", "-m", package, "users", "create", "you@example.com", "--admin"],
        cwd=directory,
        # The demo's own environment: uv finds the project's interpreter (.python-version), not the harness's.
        env={key: value for key, value in env.items() if key != "UV_PYTHON"},
        input=f"{password}\n",
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert created.returncode == 0, created.stdout + created.stderr
    assert f"{base_url}/docs" in printed
    granted = httpx.post(
        f"{base_url}/api/v1/auth/token",
        data={"grant_type": "password", "username": "you@example.com", "password": password},
        timeout=30,
    )
    assert granted.status_code == 200, granted.text
    token = granted.json()["access_token"]
    assert httpx.get(f"{base_url}/api/v1/items", timeout=30).status_code == 401
    listed = httpx.get(f"{base_url}/api/v1/items", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert listed.status_code == 200, listed.text


def new_user_home(home: Path) -> Path:
    """A home as Debian and Ubuntu make one for a new user: /etc/skel's .profile, which puts ~/.local/bin on PATH."""
    home.mkdir()
    skeleton = Path("/etc/skel/.profile")
    profile = skeleton.read_text() if skeleton.exists() else ""
    if ".local/bin" not in profile:
        profile += 'if [ -d "$HOME/.local/bin" ] ; then\n    PATH="$HOME/.local/bin:$PATH"\nfi\n'
    (home / ".profile").write_text(profile)
    return home


def in_a_new_login_shell(script: str, home: Path, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`script` in `bash -l`, as a terminal opened afterwards runs it: this machine's environment, but PATH as the
    login profiles make it (none of the harness's or the demo's) and no uv or virtualenv settings of the harness."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key != "PATH" and not key.startswith(("VIRTUAL_ENV", "PYTEST", "UV_", "COV_"))
    }
    return subprocess.run(
        ["bash", "-lc", script],
        cwd=cwd,
        env={**inherited, "HOME": str(home), "PATH": "/usr/local/bin:/usr/bin:/bin"},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def readme_sign_in(readme: str, base_url: str) -> str:
    """The README's Run section, from the password prompt to the first call with the token, on `base_url`."""
    block = readme.split("\n## Run\n", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    lines = block.splitlines()
    start = next(number for number, line in enumerate(lines) if line.startswith("read -rsp"))
    end = next(number for number, line in enumerate(lines) if "/api/v1/items" in line and "Bearer $TOKEN" in line)
    return "\n".join(lines[start : end + 1]).replace("http://127.0.0.1:8000", base_url)


def readme_sign_in_in_new_shells(destination: Path, base_url: str, home: Path, bare_home: Path) -> None:
    """The README's sign-in pasted into a shell opened after the demo (the account sign_in_as_the_demo_says made):
    a 200 with the right password; a message on stderr and no token, never a silent empty one, with a wrong password
    or where no shell finds `uv`."""
    sign_in = readme_sign_in((destination / "README.md").read_text(), base_url)
    signed_in = in_a_new_login_shell(sign_in, home, destination, stdin=f"{DEMO_PASSWORD}\n")
    assert signed_in.returncode == 0, signed_in.stdout + signed_in.stderr
    assert "HTTP/1.1 200" in signed_in.stdout, signed_in.stdout + signed_in.stderr
    assert "Not signed in" not in signed_in.stderr
    for failing, shell_home in (("a wrong password", home), ("no uv", new_user_home(bare_home))):
        refused = in_a_new_login_shell(sign_in, shell_home, destination, stdin="not the demo password\n")
        assert "Not signed in" in refused.stderr, (failing, refused.stderr)
        assert "HTTP/1.1 401" in refused.stdout, (failing, refused.stdout)


def demo_environment(tmp_path: Path, home: Path, port: int) -> dict[str, str]:
    """The demo's environment: PATH has a pyenv-style `uv` shim that fails (as it does in a project whose
    .python-version differs from the global one) and a python3 without the `uv` package, HOME is `home`."""
    shims, bin_dir = tmp_path / "pyenv" / "shims", tmp_path / "bin"
    shims.mkdir(parents=True)
    bin_dir.mkdir()
    (shims / "uv").write_text(PYENV_SHIM)
    (shims / "uv").chmod(0o755)
    (bin_dir / "python3").symlink_to(python_interpreter("3.12"))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "PYTEST", "UV_"))}
    env.update(
        PATH=f"{shims}:{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        TOOLS_DIR=str(tmp_path / "tools"),
        HOME=str(home),
        UV_PYTHON=sys._base_executable,  # .ci/run exports the template's own interpreter: the demo picks its own
        PORT=str(port),
    )
    return env


@contextlib.contextmanager
def running_demo(destination: Path, env: dict[str, str], log_path: Path, port: int) -> Iterator[httpx.Response]:
    """`scripts/demo destination` running until the block ends (its whole process group stopped then); yields the
    first answer of its liveness endpoint."""
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(REPO_ROOT / "scripts" / "demo"), str(destination)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield wait_for(f"http://127.0.0.1:{port}/health/live", process, log_path)
        finally:
            with contextlib.suppress(ProcessLookupError):  # it may have failed on its own
                os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def test_demo_renders_and_serves_where_uv_is_only_a_pyenv_shim(tmp_path: Path) -> None:
    """Where uv is only a failing pyenv shim, the demo must still find or install a real uv, and put one where a shell
    opened afterwards finds it (~/.local/bin): the README's commands then work there as written."""
    port = free_port()
    destination = tmp_path / "demo"
    home = new_user_home(tmp_path / "home")
    env = demo_environment(tmp_path, home, port)
    log_path = tmp_path / "demo.log"
    with running_demo(destination, env, log_path, port) as response:
        assert response.status_code == 200
        assert (destination / ".copier-answers.yml").exists()
        assert (destination / "uv.lock").exists()
        assert (destination / ".python-version").read_text().strip() != "3.11"  # not the template's own
        sign_in_as_the_demo_says(log_path.read_text(), f"http://127.0.0.1:{port}", env)
        readme_sign_in_in_new_shells(destination, f"http://127.0.0.1:{port}", home, tmp_path / "bare-home")
    printed = log_path.read_text()
    assert "pyenv: uv: command not found" not in printed
    # Only what the demo did: no copier next steps it already took (cd, git init, uv sync) or that are not true.
    assert "Next steps" not in printed
    assert "git init" not in printed
    assert f"Serving on http://127.0.0.1:{port}" in printed
    # The README and Makefile call plain `uv`, which is not on the demo's PATH: a new shell finds the copy in
    # ~/.local/bin (a file of its own, not a link into this checkout), with nothing to export first.
    assert "export PATH" not in printed, printed
    installed = home / ".local" / "bin" / "uv"
    assert installed.is_file()
    assert not installed.is_symlink()
    found = in_a_new_login_shell("command -v uv && uv --version", home, destination)
    assert found.returncode == 0, found.stdout + found.stderr
    assert found.stdout.startswith(f"{installed}\n"), found.stdout
    linted = in_a_new_login_shell("make lint", home, destination)
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_demo_says_what_to_export_where_a_login_shell_leaves_local_bin_off_path(tmp_path: Path) -> None:
    """A home whose login profile does not put ~/.local/bin on PATH (root's, on Debian): the copy of uv there is not
    found by a new shell, so the demo must not say it is, and says instead what to export; that export works."""
    port = free_port()
    destination = tmp_path / "demo"
    home = tmp_path / "home"
    home.mkdir()
    (home / ".profile").write_text("# no ~/.local/bin here\n")
    env = demo_environment(tmp_path, home, port)
    log_path = tmp_path / "demo.log"
    with running_demo(destination, env, log_path, port) as response:
        assert response.status_code == 200
    printed = log_path.read_text()
    assert "finds it there" not in printed, printed
    assert f"Installed uv as {home}/.local/bin/uv, but a new login shell does not have" in printed, printed
    export = re.search(r'run: (export PATH="[^"]+")', printed)
    assert export, printed
    found = in_a_new_login_shell(f"{export.group(1)} && uv --version", home, destination)
    assert found.returncode == 0, found.stdout + found.stderr


@pytest.mark.parametrize("framework", framework_params())
def test_make_dev_serves_reloads_on_a_source_edit_and_stops_on_ctrl_c(
    projects: ProjectFactory, tmp_path: Path, framework: str
) -> None:
    project = projects.installed(framework=framework)
    port = free_port()
    uv_dir = tmp_path / "uv-bin"  # `make dev` calls `uv` by name: the real one, not a pyenv shim
    uv_dir.mkdir()
    (uv_dir / "uv").symlink_to(uv_binary())
    env = project.env(HOST="127.0.0.1", PORT=str(port), PATH=f"{uv_dir}:{os.environ['PATH']}")
    version_file = project.path / "src" / project.package / "__init__.py"
    original = version_file.read_text()
    log_path = tmp_path / "dev.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            ["make", "dev"], cwd=project.path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            url = f"http://127.0.0.1:{port}/openapi.json"
            first = wait_for(url, process, log_path, timeout=60)
            assert first.status_code == 200
            assert first.json()["info"]["version"] == "0.1.0"

            version_file.write_text(re.sub(r'__version__ = "[^"]+"', '__version__ = "0.1.1"', original))
            deadline = time.monotonic() + 30
            version = None
            seen: list[int] = []
            while time.monotonic() < deadline and version != "0.1.1":
                time.sleep(0.3)
                try:
                    response = httpx.get(url, timeout=1)
                except httpx.TransportError:
                    continue  # the worker is restarting
                seen.append(response.status_code)
                if response.status_code == 200:
                    version = response.json()["info"]["version"]
                # Anything else is a worker between reloads (CI once saw a problem+json here): ask again.
            assert version == "0.1.1", f"statuses {seen[-20:]}\n{log_path.read_text()[-4000:]}"

            os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends to the whole group
            process.wait(timeout=15)
        finally:
            version_file.write_text(original)
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    with pytest.raises(httpx.TransportError):
        httpx.get(url, timeout=1)
    printed = log_path.read_text()
    assert "Reloading" in printed
    assert "Traceback" not in printed
