"""The jobs question in FastAPI renders (issue 37): what `jobs` adds, what `jobs=false` leaves out, and the Alembic
revision of the queue following each auth's chain. The worker itself is tested in the render, with a real worker
process on PostgreSQL (the render's tests/test_jobs.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import ProjectFactory, variant_param

JOBS_FILES = (
    "src/my_service/jobs/queue.py",
    "src/my_service/jobs/worker.py",
    "src/my_service/jobs/routes.py",
    "src/my_service/items/tasks.py",
    "src/my_service/items/exports.py",
    "src/my_service/core/jobs/health.py",
    "tests/test_jobs.py",
    "tests/jobs_fixtures.py",
    "tests/test_core_jobs.py",
    "tests/e2e/test_operations.py",
)


def _revisions(project: Path) -> dict[str, str | None]:
    """Each Alembic revision of the render with the one it revises."""
    chain: dict[str, str | None] = {}
    for path in (project / "src" / "my_service" / "migrations" / "versions").glob("*.py"):
        values = {}
        for node in ast.parse(path.read_text()).body:
            target = (
                node.target
                if isinstance(node, ast.AnnAssign)
                else (node.targets[0] if isinstance(node, ast.Assign) else None)
            )
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision") and node.value is not None:
                values[target.id] = ast.literal_eval(node.value)
        if "revision" in values:
            chain[values["revision"]] = values.get("down_revision")
    return chain


@pytest.mark.parametrize("answers", [variant_param({})])
def test_jobs_bring_the_queue_the_worker_and_their_tests(projects: ProjectFactory, answers: dict[str, object]) -> None:
    project = projects.render(**answers).path
    for relative in JOBS_FILES:
        assert (project / relative).is_file(), relative
    assert '"procrastinate>=3.10,<4"' in (project / "pyproject.toml").read_text()
    assert "# JOBS_CONCURRENCY=4" in (project / ".env.example").read_text()
    assert '"worker": worker' in (project / "src" / "my_service" / "__main__.py").read_text()


@pytest.mark.parametrize("answers", [variant_param({"jobs": False})])
def test_no_jobs_no_queue(projects: ProjectFactory, answers: dict[str, object]) -> None:
    project = projects.render(**answers).path
    for relative in JOBS_FILES:
        assert not (project / relative).exists(), relative
    assert "procrastinate" not in (project / "pyproject.toml").read_text()
    assert "JOBS_" not in (project / ".env.example").read_text()
    assert "worker" not in (project / "src" / "my_service" / "__main__.py").read_text()
    assert "0007" not in _revisions(project)


@pytest.mark.parametrize(
    "answers", [variant_param({}), variant_param({"auth": "jwt"}), variant_param({"auth": "none"})]
)
def test_the_queues_revision_follows_each_auths_chain_and_leaves_one_head(
    projects: ProjectFactory, answers: dict[str, object]
) -> None:
    """0007 comes after the auth's own revisions, whichever they are; later revisions follow it: one head."""
    chain = _revisions(projects.render(**answers).path)
    assert chain["0007"] == max(revision for revision in chain if revision < "0007"), chain
    heads = set(chain) - {parent for parent in chain.values() if parent is not None}
    assert len(heads) == 1, chain
