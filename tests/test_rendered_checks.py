"""The rendered project's own quality bar, run inside it: uv sync, ruff, mypy --strict, pytest (coverage >= 90%)."""

from __future__ import annotations

import pytest

from .conftest import RenderedProject

pytestmark = pytest.mark.slow


def test_lock_and_install(default_project: RenderedProject) -> None:
    assert default_project.venv_python.exists()
    assert (default_project.path / "uv.lock").exists()


def test_ruff_check(default_project: RenderedProject) -> None:
    default_project.uv("run", "--no-sync", "ruff", "check", "--no-cache", ".")


def test_ruff_format(default_project: RenderedProject) -> None:
    default_project.uv("run", "--no-sync", "ruff", "format", "--check", "--no-cache", ".")


def test_mypy_strict(default_project: RenderedProject) -> None:
    result = default_project.uv("run", "--no-sync", "mypy", "--no-incremental")
    assert "Success: no issues found" in result.stdout


def test_own_test_suite_with_coverage(default_project: RenderedProject) -> None:
    result = default_project.uv("run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider")
    assert "Required test coverage of 90% reached" in result.stdout
    assert " passed" in result.stdout
