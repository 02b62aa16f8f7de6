"""Fixtures that render the template and prepare rendered projects (installed with uv, sharing one cache)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
from plumbum import local
from pytest_copier.plugin import CopierFixture, CopierProject

from . import jinja_cache
from .variants import DEFAULT_ANSWERS, QUESTION_VALUES, Answers, variant_id, with_defaults

jinja_cache.install()  # every in-process render of this session (pytest-copier's)

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATHS = ["copier.yml", "template", "hooks"]


def python_interpreter(version: str) -> str:
    """A real interpreter for `version` (uv cannot download one here): pyenv's, else one on PATH."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    for candidate in sorted((pyenv_root / "versions").glob(f"{version}.*"), reverse=True):
        binary = candidate / "bin" / f"python{version}"
        if binary.exists():
            return str(binary)
    # Shims and wrappers can fail for versions that are not active: check the interpreter really runs.
    found = shutil.which(f"python{version}")
    if found and subprocess.run([found, "-c", "pass"], capture_output=True, check=False).returncode == 0:
        return found
    pytest.skip(f"no Python {version} interpreter on this machine")


def uv_binary() -> str:
    from uv import find_uv_bin

    return find_uv_bin()


@pytest.fixture(scope="session")
def copier_template_paths() -> list[str]:
    # Only what the template is made of: never the repo's .git, .venv or caches.
    return TEMPLATE_PATHS


@pytest.fixture(scope="session")
def session_copier(copier_template: Path, sessionpatch: pytest.MonkeyPatch) -> CopierFixture:
    return CopierFixture(template=copier_template, defaults={}, monkeypatch=sessionpatch)


@dataclass
class RenderedProject:
    """A rendered project; `run` executes commands inside it with its own venv and a shared uv cache."""

    path: Path
    answers: Answers

    # Where this worker's mypy keeps its cache, one directory per framework (set by the `mypy_caches` fixture): the
    # renders of a framework share their dependencies' analysis (FastAPI's cold run ~11 s CPU, then ~2.5 s). mypy
    # re-checks every file whose content differs from the cache, and whatever depends on a changed interface (a fault
    # planted in one module of a render whose siblings were cached is still found in the unchanged modules that use
    # it). One cache per worker: no two mypy processes write the same cache at once.
    mypy_caches: ClassVar[Path | None] = None

    @property
    def package(self) -> str:
        return str(self.answers.get("package_name", "my_service"))

    @property
    def python_version(self) -> str:
        return str(self.answers.get("python_version", DEFAULT_ANSWERS["python_version"]))

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("VIRTUAL_ENV", "PYTEST", "UV_PROJECT", "COV_"))
        }
        env.update(
            UV_PYTHON=python_interpreter(self.python_version),
            UV_PYTHON_DOWNLOADS="never",
            UV_NO_PROGRESS="1",
            PYTHONDONTWRITEBYTECODE="1",
        )
        if self.mypy_caches is not None:
            env["MYPY_CACHE_DIR"] = str(self.mypy_caches / str(self.answers.get("framework", "fastapi")))
        env.update(extra)
        return env

    def run(
        self, *args: str, timeout: float = 600, check: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        # Its own process group: on timeout the whole tree goes (`uv run` starts python as a child, which holds the
        # output pipes; killing uv alone would leave us waiting on them for ever).
        process = subprocess.Popen(
            list(args),
            cwd=self.path,
            env=self.env(**(env or {})),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            pytest.fail(
                f"`{' '.join(args)}` did not finish within {timeout:.0f} s in {self.path} (killed):\n"
                f"{stdout[-6000:]}\n{stderr[-6000:]}",
                pytrace=False,
            )
        result = subprocess.CompletedProcess(list(args), process.returncode, stdout, stderr)
        if check and result.returncode != 0:
            pytest.fail(
                f"`{' '.join(args)}` failed in {self.path} (exit {result.returncode}):\n"
                f"{result.stdout[-6000:]}\n{result.stderr[-6000:]}",
                pytrace=False,
            )
        return result

    def uv(
        self, *args: str, timeout: float = 600, check: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return self.run(uv_binary(), *args, timeout=timeout, check=check, env=env)

    @property
    def venv_python(self) -> Path:
        return self.path / ".venv" / "bin" / "python"


class ProjectFactory:
    """Renders each distinct set of answers once per session; installs each at most once."""

    def __init__(self, copier: CopierFixture, root: Path) -> None:
        self.copier = copier
        self.root = root
        self._rendered: dict[str, RenderedProject] = {}
        self._installed: set[str] = set()

    def render(self, **answers: Any) -> RenderedProject:
        merged = with_defaults(answers)
        key = variant_id(merged)
        if key not in self._rendered:
            destination = self.root / key
            # The post-copy task runs `uv lock`: give it the variant's interpreter (a pyenv shim found first on
            # PATH for another version makes uv fail instead of looking further).
            with local.env(UV_PYTHON=python_interpreter(str(merged["python_version"]))):
                project: CopierProject = self.copier.copy(destination, **merged)
            self._rendered[key] = RenderedProject(project.path, merged)
        return self._rendered[key]

    def installed(self, **answers: Any) -> RenderedProject:
        project = self.render(**answers)
        key = variant_id(project.answers)
        if key not in self._installed:
            # Compiled once here: the rendered suites start the service as a process many times, and with
            # PYTHONDONTWRITEBYTECODE (set in env()) each start would compile every import again (2.5 s, not 0.9).
            project.uv("sync", "--quiet", "--compile-bytecode")
            self._installed.add(key)
        return project


@pytest.fixture(scope="session")
def shared_tmp_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory every test worker of this session shares (xdist gives each worker `<basetemp>/<worker id>`)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session", autouse=True)
def mypy_caches(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """This worker's mypy caches (`RenderedProject.mypy_caches`); under xdist each worker has its own base temp."""
    RenderedProject.mypy_caches = tmp_path_factory.mktemp("mypy-cache")
    yield RenderedProject.mypy_caches
    RenderedProject.mypy_caches = None


@pytest.fixture(scope="session")
def projects(session_copier: CopierFixture, tmp_path_factory: pytest.TempPathFactory) -> ProjectFactory:
    return ProjectFactory(session_copier, tmp_path_factory.mktemp("rendered"))


@pytest.fixture(scope="session")
def grown(projects: ProjectFactory, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Each framework's default render grown by `bookings` as its README says (tests/growth.py), once per worker:
    the growth tests and the parity test share it (both in the `api-parity` xdist group)."""
    from .growth import Growths  # it imports this module

    return Growths(projects, tmp_path_factory.mktemp("grown"))


@pytest.fixture(scope="session")
def default_project(projects: ProjectFactory) -> RenderedProject:
    return projects.installed()


COPIER_COMMAND = str(Path(__file__).resolve().parent / "copier_command.py")
"""The `copier` command line, each template string compiled once per process (jinja_cache.py)."""


def copier_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `copier` command line, as users do."""
    return subprocess.run(
        [sys.executable, COPIER_COMMAND, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,  # a render takes seconds; 120 s was exceeded at a load of 47 (both cores saturated, and more)
        check=False,
    )


def variant_group(answers: Answers) -> pytest.MarkDecorator:
    """The xdist group of a variant. Every test that renders or installs a variant joins its group, so that the
    variant is rendered and installed once, by one worker, and every module's tests of it run there (`pytest -n 2
    --dist loadgroup`; the renders are cached per worker). A test that uses two variants joins the one it installs."""
    return pytest.mark.xdist_group(variant_id(with_defaults(answers)))


def variant_param(answers: Answers, *, id: str | None = None) -> Any:
    """A test parameter for `answers`, named after the variant unless `id` is given, in the variant's group."""
    return pytest.param(answers, id=id or variant_id(with_defaults(answers)), marks=variant_group(answers))


def framework_params(**answers: Any) -> list[Any]:
    """One parameter per framework (its name), each in the group of the variant `framework` + `answers` (the variant
    the test renders or installs)."""
    return [
        pytest.param(framework, id=framework, marks=variant_group({"framework": framework, **answers}))
        for framework in QUESTION_VALUES["framework"]
    ]


def variant_params(variants: list[Answers]) -> list[Any]:
    """Test parameters for variants: readable ids, each in its variant's xdist group (`variant_group`)."""
    return [variant_param(answers) for answers in variants]


def slow_unless(params: list[Any], fast: list[Answers]) -> list[Any]:
    """`params` (`variant_params`) with every one but the variants of `fast` marked slow: the fast subset
    (`-m "not slow"`) runs those few, the full suite runs them all."""
    fast_ids = {variant_id(with_defaults(answers)) for answers in fast}
    return [
        param
        if param.id in fast_ids
        else pytest.param(*param.values, id=param.id, marks=[*param.marks, pytest.mark.slow])
        for param in params
    ]


# Modules of long tests that belong to no variant group (each test is a unit of its own): they run before the other
# modules, so that neither worker starts one of them last while the other has nothing left (`--dist loadgroup` sends
# the units with the most tests first, the single tests after them in collection order).
LONG_SINGLE_TESTS_FIRST = ("test_update.py", "test_update_revocation.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.path.name not in LONG_SINGLE_TESTS_FIRST)  # stable: modules stay whole
