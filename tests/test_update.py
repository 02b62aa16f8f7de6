"""`copier update` from the first release to the current template keeps every user edit.

A throwaway template repository gets two tags: the first release (the pinned commit of this repository) and the
current working tree as the newest release. A project generated from the first release is committed, edited the
way teams edit services, and updated, exactly as a user would run it.
"""

from __future__ import annotations

import difflib
import shutil
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

import pytest
import yaml

from .conftest import REPO_ROOT, TEMPLATE_PATHS, RenderedProject
from .releases import FIRST_RELEASE, RELEASES
from .variants import DEFAULT_ANSWERS

NEW_RELEASE = "99.0.0"
MARKERS = ("<<<<<<< before updating", ">>>>>>> after updating")


def git(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={
            "GIT_AUTHOR_NAME": "test",
            "GIT_AUTHOR_EMAIL": "test@example.com",
            "GIT_COMMITTER_NAME": "test",
            "GIT_COMMITTER_EMAIL": "test@example.com",
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(cwd),
        },
    )
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stdout}{result.stderr}"
    return result.stdout


def copier(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "copier", *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def release_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template repository with the first release and the current template as two tagged commits."""
    repo = tmp_path_factory.mktemp("template-releases")
    git("init", "-q", "-b", "main", cwd=repo)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", RELEASES[FIRST_RELEASE], *TEMPLATE_PATHS],
        cwd=REPO_ROOT,
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        pytest.fail(f"release commit {RELEASES[FIRST_RELEASE]} is not in this clone: {archive.stderr.decode()}")
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(repo, filter="data")
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", f"release {FIRST_RELEASE}", cwd=repo)
    git("tag", FIRST_RELEASE, cwd=repo)

    for name in TEMPLATE_PATHS:
        target = repo / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "--allow-empty", "-m", "current template", cwd=repo)
    git("tag", NEW_RELEASE, cwd=repo)
    return repo


def render(release_repo: Path, destination: Path, release: str, **answers: object) -> Path:
    data = [f"--data={key}={value}" for key, value in {**DEFAULT_ANSWERS, **answers}.items()]
    copier("copy", "--trust", "--defaults", "--vcs-ref", release, *data, str(release_repo), str(destination))
    return destination


def generate(release_repo: Path, destination: Path, **answers: object) -> Path:
    render(release_repo, destination, FIRST_RELEASE, **answers)
    git("init", "-q", "-b", "main", cwd=destination)
    git("add", "-A", cwd=destination)
    git("commit", "-q", "-m", "generated from the first release", cwd=destination)
    return destination


def update(project: Path, *extra: str) -> None:
    copier("update", "--trust", "--defaults", "--conflict", "inline", "--vcs-ref", NEW_RELEASE, *extra, cwd=project)


def files_with_markers(root: Path) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.parts and ".venv" not in path.parts:
            text = path.read_text(errors="replace")
            if any(marker in text for marker in MARKERS):
                found.append(str(path.relative_to(root)))
    return sorted(found)


TEAM_NOTES = "\n## Team notes\n\nOn call: #payments-oncall. Deploys need a second reviewer.\n"
BILLING_MODULE = '''"""Team code that the template knows nothing about."""


def invoice_total(prices_cents: list[int]) -> int:
    return sum(prices_cents)
'''
BILLING_TEST = """from my_service.billing import invoice_total


def test_invoice_total_is_added_by_the_team() -> None:
    assert invoice_total([100, 250]) == 350
"""
PROCESS_TEST = """

def test_team_added_process_check() -> None:
    assert PACKAGE
"""
TEAM_CHANGELOG = "# Our changelog\n\n## 1.4.0\n\n- Invoices.\n"
EDITED_ASSERTION = (
    '    assert response.json() == {"status": "ok"}\n',
    '    assert response.json() == {"status": "ok"}\n    assert response.headers["x-request-id"]\n',
)


def make_typical_edits(project: Path) -> None:
    """What a team does in the months after generating: docs, a setting default, new code, a new test."""
    readme = project / "README.md"
    readme.write_text(readme.read_text() + TEAM_NOTES)
    settings = project / "src/my_service/settings.py"
    text = settings.read_text()
    assert "max_body_size: int = Field(default=1_048_576," in text
    settings.write_text(
        text.replace("max_body_size: int = Field(default=1_048_576,", "max_body_size: int = Field(default=4_194_304,")
    )
    (project / "src/my_service/billing.py").write_text(BILLING_MODULE)
    (project / "tests/test_billing.py").write_text(BILLING_TEST)
    health_tests = project / "tests/test_health.py"
    text = health_tests.read_text()
    assert EDITED_ASSERTION[0] in text
    health_tests.write_text(text.replace(EDITED_ASSERTION[0], EDITED_ASSERTION[1], 1))
    process_tests = project / "tests/test_server.py"  # moved to tests/test_process.py by template 0.2.0
    process_tests.write_text(process_tests.read_text() + PROCESS_TEST)
    (project / "CHANGELOG.md").write_text(TEAM_CHANGELOG)
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "team edits", cwd=project)


def assert_typical_edits_kept(project: Path) -> None:
    assert (project / "README.md").read_text().endswith(TEAM_NOTES)
    assert "max_body_size: int = Field(default=4_194_304," in (project / "src/my_service/settings.py").read_text()
    assert (project / "src/my_service/billing.py").read_text() == BILLING_MODULE
    assert (project / "tests/test_billing.py").read_text() == BILLING_TEST
    assert EDITED_ASSERTION[1] in (project / "tests/test_health.py").read_text()
    # The 0.2.0 migration moved the file before the merge, so the team's test followed it.
    assert not (project / "tests/test_server.py").exists()
    assert (project / "tests/test_process.py").read_text().endswith(PROCESS_TEST)
    # CHANGELOG.md is the team's own (_skip_if_exists): the template's version never replaces it.
    assert (project / "CHANGELOG.md").read_text() == TEAM_CHANGELOG


@pytest.mark.slow
def test_update_keeps_every_edit_and_the_project_stays_green(release_repo: Path, tmp_path: Path) -> None:
    project = generate(release_repo, tmp_path / "service")
    make_typical_edits(project)
    update(project)
    assert files_with_markers(project) == []
    assert_typical_edits_kept(project)
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == NEW_RELEASE
    assert not (project / ".git" / "copier.yml").exists()
    git("rev-parse", "HEAD", cwd=project)  # the project's own repository is intact

    rendered = RenderedProject(project, {**DEFAULT_ANSWERS, "package_name": "my_service"})
    rendered.uv("sync", "--quiet")
    rendered.uv("run", "--no-sync", "ruff", "check", "--no-cache", ".")
    rendered.uv("run", "--no-sync", "ruff", "format", "--check", "--no-cache", ".")
    rendered.uv("run", "--no-sync", "mypy", "--no-incremental")
    result = rendered.uv("run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider", "-rA")
    assert "PASSED tests/test_billing.py::test_invoice_total_is_added_by_the_team" in result.stdout
    assert "PASSED tests/test_health.py::test_live" in result.stdout
    assert "tests/test_process.py::test_team_added_process_check" in result.stdout


def _conflicting_edit(old: Path, new: Path) -> tuple[str, int]:
    """A file and line the template changed between the releases, for a user edit that must conflict."""
    candidates = sorted(
        str(path.relative_to(old))
        for path in old.rglob("*.py")
        if (new / path.relative_to(old)).exists() and (new / path.relative_to(old)).read_text() != path.read_text()
    )
    for relative in candidates:
        before = (old / relative).read_text().splitlines()
        after = (new / relative).read_text().splitlines()
        for tag, i1, _i2, _j1, _j2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
            if tag in ("replace", "delete"):
                return relative, i1
            if tag == "insert" and i1 > 0:
                return relative, i1 - 1
    pytest.skip("the template has not changed any Python file since the first release")


def test_a_conflicting_edit_gets_inline_markers_in_that_file_only(release_repo: Path, tmp_path: Path) -> None:
    project = generate(release_repo, tmp_path / "service")
    reference = tmp_path / "reference-new"
    render(release_repo, reference, NEW_RELEASE)
    relative, line_index = _conflicting_edit(project, reference)
    make_typical_edits(project)
    target = project / relative
    lines = target.read_text().splitlines(keepends=True)
    lines[line_index] = lines[line_index].rstrip("\n") + "  # team: tuned for our traffic\n"
    target.write_text("".join(lines))
    git("commit", "-q", "-am", "conflicting edit", cwd=project)

    update(project)
    assert files_with_markers(project) == [relative]
    assert "# team: tuned for our traffic" in target.read_text()
    assert_typical_edits_kept(project)


def test_turning_an_option_on_later_adds_exactly_that_feature(release_repo: Path, tmp_path: Path) -> None:
    project = generate(release_repo, tmp_path / "service")
    update(project, "--data=use_redis=true")
    fresh = tmp_path / "fresh"
    render(release_repo, fresh, NEW_RELEASE, use_redis="true")

    def tree(root: Path) -> dict[str, str]:
        return {
            str(path.relative_to(root)): path.read_text(errors="replace")
            for path in root.rglob("*")
            if path.is_file()
            and ".git" not in path.parts
            and path.name != ".copier-answers.yml"
            # uv.lock is created by the copy task, never rendered: an update leaves the project's lock alone.
            and path.name != "uv.lock"
        }

    assert tree(project) == tree(fresh)
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["use_redis"] is True
