"""`copier update` from any earlier release to the current template keeps every user edit, with or without tags.

A throwaway template repository gets one commit per release (the pinned commits of this repository, see
tests/releases.py) and the current working tree as the newest, tagged or not. A project generated from an earlier
release is committed, edited the way teams edit services, and updated, exactly as a user would run it.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import yaml

from . import postgres_server
from .conftest import REPO_ROOT, TEMPLATE_PATHS, RenderedProject, copier_cli, python_interpreter, uv_binary
from .releases import BEFORE_OWNERSHIP, FIRST_RELEASE, LAST_RELEASE, PREVIOUS_RELEASE, RELEASES
from .variants import DEFAULT_ANSWERS, frameworks_in_turn, in_turn, rotation_slot, with_defaults

# Every test here is a `copier update` (or copy) round trip through a release repository, tens of seconds of CPU
# each: the fast subset (`scripts/test -m "not slow"`) leaves the module out.
pytestmark = pytest.mark.slow

NEW_RELEASE = "99.0.0"

MARKERS = ("<<<<<<< before updating", ">>>>>>> after updating")


def share(turn: int) -> pytest.MarkDecorator:
    """One of two shares of the scenarios that are not per framework, run on alternate commits (`in_turn`; the
    scenarios per framework take one framework per commit instead: `frameworks_in_turn`). ALL_VARIANTS=1 runs all."""
    return pytest.mark.skipif(not in_turn(turn), reason="its share of the update scenarios runs on other commits")


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


def copier(*args: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = copier_cli(*args, cwd=cwd)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def build_release_repo(repo: Path, *, tagged: bool, releases: dict[str, str] = RELEASES) -> dict[str, str]:
    """Commit each release (tests/releases.py's by default), then the current template; tag them when `tagged`.

    Returns release name -> commit in `repo` (the current template is NEW_RELEASE).
    """
    git("init", "-q", "-b", "main", cwd=repo)
    commits: dict[str, str] = {}
    for release, commit in releases.items():
        for name in TEMPLATE_PATHS:
            remove(repo / name)
        archive = subprocess.run(
            ["git", "archive", "--format=tar", commit, *TEMPLATE_PATHS], cwd=REPO_ROOT, capture_output=True, check=False
        )
        if archive.returncode != 0:
            pytest.fail(f"release commit {commit} is not in this clone: {archive.stderr.decode()}")
        with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
            tar.extractall(repo, filter="data")
        git("add", "-A", cwd=repo)
        git("commit", "-q", "--allow-empty", "-m", f"release {release}", cwd=repo)
        commits[release] = git("rev-parse", "HEAD", cwd=repo).strip()
        if tagged:
            git("tag", release, cwd=repo)

    for name in TEMPLATE_PATHS:
        target = repo / name
        remove(target)
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "--allow-empty", "-m", "current template", cwd=repo)
    commits[NEW_RELEASE] = git("rev-parse", "HEAD", cwd=repo).strip()
    if tagged:
        git("tag", NEW_RELEASE, cwd=repo)
    return commits


@pytest.fixture(scope="module")
def release_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template repository with every release and the current template as tagged commits."""
    repo = tmp_path_factory.mktemp("template-releases")
    build_release_repo(repo, tagged=True)
    return repo


def render(release_repo: Path, destination: Path, release: str, **answers: object) -> Path:
    data = [f"--data={key}={value}" for key, value in with_defaults(answers).items()]
    copier("copy", "--trust", "--defaults", "--vcs-ref", release, *data, str(release_repo), str(destination))
    return destination


def reference(release_repo: Path, destination: Path, **answers: object) -> Path:
    """A render of the new release to compare a project with, never installed: without the copy task, whose only
    product is `uv.lock` (never rendered, so never compared; its `uv lock` costs a resolve per render)."""
    data = [f"--data={key}={value}" for key, value in with_defaults(answers).items()]
    copier(
        "copy", "--trust", "--defaults", "--skip-tasks", "--vcs-ref", NEW_RELEASE, *data, str(release_repo),
        str(destination),
    )  # fmt: skip
    return destination


def generate(release_repo: Path, destination: Path, release: str = FIRST_RELEASE, **answers: object) -> Path:
    render(release_repo, destination, release, **answers)
    git("init", "-q", "-b", "main", cwd=destination)
    git("add", "-A", cwd=destination)
    git("commit", "-q", "-m", f"generated from {release}", cwd=destination)
    return destination


class Renders:
    """This worker's renders of one template repository, each made once and handed out as often as tests ask.

    `generated` is `generate` (a committed project) copied whole, `.git` included, into the test's own directory: the
    test edits and updates its copy, never the original; `updated` is the same after a plain `copier update` to the
    new release, committed. `reference` is a render of the new release that tests only read (`differing_files`,
    `tree`), shared as is. All are keyed by every argument of the copier commands, so a test gets exactly the tree its
    own commands would have made (copier records no destination path in a render). The tests that share them are in
    one xdist group (SHARED_RENDERS), so that one worker makes each once.
    """

    def __init__(self, repo: Path, root: Path) -> None:
        self.repo = repo
        self.root = root
        self._generated: dict[str, Path] = {}
        self._updated: dict[str, tuple[Path, str]] = {}
        self._references: dict[str, Path] = {}
        self._slots = 0

    def _slot(self) -> Path:
        self._slots += 1
        slot = self.root / str(self._slots)
        slot.mkdir()
        return slot

    @staticmethod
    def _key(*parts: object) -> str:
        return json.dumps(parts, sort_keys=True, default=str)

    def generated(self, destination: Path, release: str = FIRST_RELEASE, **answers: object) -> Path:
        key = self._key(release, with_defaults(answers))  # what `render` passes to copier
        if key not in self._generated:
            self._generated[key] = generate(self.repo, self._slot() / destination.name, release, **answers)
        shutil.copytree(self._generated[key], destination, symlinks=True)
        return destination

    def updated(self, destination: Path, release: str, **answers: object) -> tuple[Path, str]:
        """A copy of `generated(release, **answers)` after `update` with no new answer and a commit; and what the
        update printed."""
        key = self._key(release, with_defaults(answers))
        if key not in self._updated:
            project = self.generated(self._slot() / destination.name, release, **answers)
            output = update(project)
            git("add", "-A", cwd=project)
            git("commit", "-q", "-m", "updated", cwd=project)
            self._updated[key] = (project, output)
        project, output = self._updated[key]
        shutil.copytree(project, destination, symlinks=True)
        return destination, output

    def reference(self, **answers: object) -> Path:
        key = self._key(with_defaults(answers))  # what `reference` passes to copier
        if key not in self._references:
            self._references[key] = reference(self.repo, self._slot() / "fresh", **answers)
        return self._references[key]


SHARED_RENDERS = pytest.mark.xdist_group("test_update-shared-renders")


@pytest.fixture(scope="module")
def renders(release_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Renders:
    return Renders(release_repo, tmp_path_factory.mktemp("update-renders"))


def update(project: Path, *extra: str, ref: str = NEW_RELEASE) -> str:
    """`copier update` as users run it; returns what it printed."""
    result = copier("update", "--trust", "--defaults", "--conflict", "inline", "--vcs-ref", ref, *extra, cwd=project)
    return result.stdout + result.stderr


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
    settings = project / OLD_SETTINGS
    text = settings.read_text() if settings.exists() else ""
    if "max_body_size: int = Field(default=1_048_576," in text:
        settings.write_text(
            text.replace(
                "max_body_size: int = Field(default=1_048_576,", "max_body_size: int = Field(default=4_194_304,"
            )
        )
    else:  # since 0.3.0 the settings rules are the core's: a team overrides a default in its own Settings class
        override_in_settings_class(project)
    (project / "src/my_service/billing.py").write_text(BILLING_MODULE)
    (project / "tests/test_billing.py").write_text(BILLING_TEST)
    health_tests = project / "tests/test_health.py"
    text = health_tests.read_text()
    assert EDITED_ASSERTION[0] in text
    health_tests.write_text(text.replace(EDITED_ASSERTION[0], EDITED_ASSERTION[1], 1))
    process_tests = project / "tests/test_server.py"  # moved to tests/test_process.py by template 0.2.0
    if not process_tests.exists():
        process_tests = project / "tests/test_process.py"
    process_tests.write_text(process_tests.read_text() + PROCESS_TEST)
    (project / "CHANGELOG.md").write_text(TEAM_CHANGELOG)
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "team edits", cwd=project)


TEAM_SETTING = "max_body_size: int = Field(default=4_194_304,"
CONFLICT_BLOCK = re.compile(r"<<<<<<< before updating\n(.*?)=======\n(.*?)>>>>>>> after updating\n", re.S)
SETTINGS_CLASS = {"fastapi": "src/my_service/config.py", "django": "src/my_service/config.py"}
"""Where the typed Settings class a team extends lives since the settings rules moved into `core/settings.py`."""
OLD_SETTINGS = "src/my_service/settings.py"
"""Where the releases this test starts from kept the settings a team edits (FastAPI moved it to `config.py`)."""


def resolve_like_a_team(project: Path, output: str, framework: str) -> None:
    """What a team does with the conflicts this update leaves, which it lists at the end: nothing of theirs is lost.

    The template moved the settings rules into `core/settings.py`, so a team that changed a default there finds it
    in a conflict block of `settings.py` and re-applies it as an override in its own `Settings` subclass; any other
    conflict (the README's last section) keeps both sides.
    """
    conflicted = files_with_markers(project)
    listed = output.split("Files with conflict markers", 1)[-1]
    for relative in conflicted:
        assert relative in listed, f"{relative} has conflict markers but the update did not name it"
        path = project / relative
        text = path.read_text()
        if relative in (OLD_SETTINGS, SETTINGS_CLASS[framework]):
            assert TEAM_SETTING in text, f"the team's setting is gone from {relative}"
            path.write_text(CONFLICT_BLOCK.sub(lambda block: block.group(2), text))
        else:
            path.write_text(CONFLICT_BLOCK.sub(lambda block: block.group(1) + block.group(2), text))
    override_in_settings_class(project)
    assert files_with_markers(project) == []


def override_in_settings_class(project: Path) -> None:
    """The team's changed default as an override in its `Settings` subclass (nothing when it is there already)."""
    settings_class = project / SETTINGS_CLASS["fastapi"]  # the same path in both frameworks
    text = settings_class.read_text()
    if TEAM_SETTING not in text:
        if "from pydantic import" not in text:
            pydantic = "from pydantic import Field\n\n"
            text = text.replace("from .core.settings import", pydantic + "from .core.settings import", 1)
        marker = "class Settings(ServiceSettings):\n"
        head, docstring_and_rest = text.split(marker, 1)
        docstring, rest = docstring_and_rest.split("\n", 1)
        text = f"{head}{marker}{docstring}\n\n    {TEAM_SETTING} ge=1)\n{rest}"
        settings_class.write_text(text)


def assert_typical_edits_kept(project: Path, framework: str = "fastapi") -> None:
    assert TEAM_NOTES in (project / "README.md").read_text()
    assert TEAM_SETTING in (project / SETTINGS_CLASS[framework]).read_text()
    assert (project / "src/my_service/billing.py").read_text() == BILLING_MODULE
    assert (project / "tests/test_billing.py").read_text() == BILLING_TEST
    assert EDITED_ASSERTION[1] in (project / "tests/test_health.py").read_text()
    # The template moved tests/test_server.py to tests/test_process.py (hooks/moves.py): the team's test followed it.
    assert not (project / "tests/test_server.py").exists()
    assert (project / "tests/test_process.py").read_text().endswith(PROCESS_TEST)
    # CHANGELOG.md is the team's own (_skip_if_exists): the template's version never replaces it.
    assert (project / "CHANGELOG.md").read_text() == TEAM_CHANGELOG


def every_edit_scenarios() -> list[tuple[str, str]]:
    """One scenario per commit: from the first release (FastAPI: it had no framework question) on one share of the
    commits (`in_turn`), from the previous release on the other, its framework alternating from one such commit to the
    next (the other scenarios from the previous release update both frameworks on every run); ALL_VARIANTS=1 runs all
    three."""
    slot = rotation_slot()
    if slot is None:
        return [(FIRST_RELEASE, "fastapi"), (PREVIOUS_RELEASE, "fastapi"), (PREVIOUS_RELEASE, "django")]
    if in_turn(0):
        return [(FIRST_RELEASE, "fastapi")]
    return [(PREVIOUS_RELEASE, ("fastapi", "django")[slot // 2 % 2])]


@pytest.mark.parametrize(("release", "framework"), every_edit_scenarios(), ids=lambda value: str(value))
def test_update_keeps_every_edit_and_the_project_stays_green(
    renders: Renders, tmp_path: Path, release: str, framework: str
) -> None:
    answers = {} if release == FIRST_RELEASE else {"framework": framework}  # 0.1.0 had no framework question
    project = renders.generated(tmp_path / "service", release, **answers)
    make_typical_edits(project)
    output = update(project)
    # Releases before the `auth` question had an open API: the update closes it with the default (the service's own
    # users), and says so with what to do and the ways back.
    assert "YOUR API NOW REQUIRES BEARER TOKENS (new question `auth`, answered `users`)" in output
    assert "users create you@example.com --admin" in output
    assert "AUTH_SIGNING_KEYS" in output
    assert "--data auth=jwt" in output
    assert "--data auth=none" in output
    # The settings rules moved into core/settings.py: the team's changed default conflicts, and is listed (FastAPI's
    # settings.py moved to config.py since: the conflict is in its new home).
    assert (OLD_SETTINGS if framework == "django" else SETTINGS_CLASS[framework]) in files_with_markers(project)
    resolve_like_a_team(project, output, framework)
    assert_typical_edits_kept(project, framework)
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == NEW_RELEASE
    # A Django project kept its items in a SQLite file before the database question: it stays on SQLite.
    assert answers["database"] == ("sqlite" if framework == "django" else "postgresql")
    assert answers["auth"] == "users"
    assert not (project / ".git" / "copier.yml").exists()
    git("rev-parse", "HEAD", cwd=project)  # the project's own repository is intact

    # Beyond the team's files, the update left the new release exactly as a fresh render of the same answers: the
    # whole suite of such a render (coverage gate included) is tests/test_rendered_checks.py's to run. Here the whole
    # project gets the static checks, and its tests run where it differs from that render, plus the settings tests
    # (the team's override sits in the settings class) and a real process (tests/test_process.py, edited itself).
    fresh = renders.reference(**user_answers(answers))
    assert differing_files(project, fresh) == sorted(TEAM_FILES[framework]), "the update left more than the team's"
    rendered = RenderedProject(
        project,
        with_defaults({"framework": framework, "database": answers["database"], "package_name": "my_service"}),
    )
    rendered.uv("sync", "--quiet", "--compile-bytecode")
    rendered.uv("run", "--no-sync", "ruff", "check", "--no-cache", ".")
    rendered.uv("run", "--no-sync", "ruff", "format", "--check", "--no-cache", ".")
    rendered.uv("run", "--no-sync", "mypy")
    tests = sorted({path for path in TEAM_FILES[framework] if path.startswith("tests/")} | {"tests/test_settings.py"})
    result = rendered.uv(
        "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", "-rA", "--no-cov", *tests
    )
    assert "PASSED tests/test_billing.py::test_invoice_total_is_added_by_the_team" in result.stdout
    assert "PASSED tests/test_process.py::test_team_added_process_check" in result.stdout
    assert "PASSED tests/test_process.py::test_sigterm_finishes_in_flight_requests_then_exits" in result.stdout


TEAM_FILES = {
    framework: [
        "CHANGELOG.md",
        "README.md",
        SETTINGS_CLASS[framework],
        "src/my_service/billing.py",
        "tests/test_billing.py",
        "tests/test_health.py",
        "tests/test_process.py",
    ]
    for framework in ("fastapi", "django")
}
"""The files in which an updated project differs from a fresh render of the new release: the team's edits."""
NOT_COMPARED = {".git", ".venv", ".copier-answers.yml", "uv.lock", ".mypy_cache", ".ruff_cache", "__pycache__"}


def user_answers(answers: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in answers.items() if not key.startswith("_")}


def differing_files(project: Path, fresh: Path) -> list[str]:
    """Files present in one tree only or with other contents (the answers file, lock and caches aside)."""

    def tree(root: Path) -> dict[str, bytes]:
        return {
            str(path.relative_to(root)): path.read_bytes()
            for path in root.rglob("*")
            if path.is_file() and not NOT_COMPARED.intersection(path.relative_to(root).parts)
        }

    ours, theirs = tree(project), tree(fresh)
    return sorted(path for path in ours.keys() | theirs.keys() if ours.get(path) != theirs.get(path))


# --- the release before owned items -----------------------------------------------------------------------------

# A team's item as 0.4.0 wrote it, through that release's own code: created, then changed once (its version is 2).
WRITE_AN_ITEM = {
    "fastapi": (
        "python",
        "-c",
        """
import asyncio

from my_service.config import load_settings
from my_service.database import create_engine, create_sessions, session_transaction
from my_service.items.models import ItemIn, ItemPatch
from my_service.items.repository import SqlItemRepository


async def main() -> None:
    engine = create_engine(load_settings())
    async with session_transaction(create_sessions(engine)) as session:
        repository = SqlItemRepository(session)
        item = await repository.create(ItemIn(name="Kept", price_cents=1250, tags=["team"], sku="KEPT-1"))
        await repository.patch(item.id, ItemPatch(price_cents=1300))
    await engine.dispose()


asyncio.run(main())
""",
    ),
    "django": (
        "python",
        "manage.py",
        "shell",
        "-c",
        """
from django.db.models import F

from my_service.items.models import Item

item = Item.objects.create(name="Kept", price_cents=1250, tags=["team"], sku="KEPT-1")
Item.objects.filter(pk=item.pk).update(price_cents=1300, version=F("version") + 1)
""",
    ),
}
ITEMS_TABLE = {"fastapi": "items", "django": "items_item"}


def in_project(project: RenderedProject, database: Path, *args: str) -> None:
    """`uv run <args>` in the project as a deployment runs it: settings from the environment, the database a file."""
    environment = project.env(DATABASE_URL=f"sqlite:///{database}", ENVIRONMENT="development")
    environment = {key: value for key, value in environment.items() if not key.startswith("DJANGO_")}
    result = subprocess.run(
        [uv_binary(), "run", "--no-sync", *args],
        cwd=project.path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"{' '.join(args[:3])}: {result.stdout[-4000:]}{result.stderr[-4000:]}"


def stored_items(database: Path, framework: str) -> list[dict[str, Any]]:
    with sqlite3.connect(database) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute(f"SELECT * FROM {ITEMS_TABLE[framework]}")]


@SHARED_RENDERS
@pytest.mark.parametrize("framework", frameworks_in_turn(0))
def test_update_from_before_owned_items_keeps_the_teams_items_and_edits(
    renders: Renders, tmp_path: Path, framework: str
) -> None:
    """A project of the release before owned items, with the team's edits and an item in its database: the update
    keeps both, and the project's own `migrate` gives the item no owner (only `items:admin` sees it), its version
    under the new name, and the `draft` status."""
    # SQLite: the whole database is one file this test holds across the update and reads with sqlite3, no PostgreSQL
    # cluster to start; the migrations are the same for both, and SQLite's batch mode (it copies the table to alter
    # it) is the one that can lose a row or a column.
    answers = {"framework": framework, "database": "sqlite"}
    project = renders.generated(tmp_path / "service", BEFORE_OWNERSHIP, **answers)
    make_typical_edits(project)
    database = tmp_path / "service.sqlite3"  # outside the project: never part of what is compared below
    rendered = RenderedProject(project, with_defaults({**answers, "package_name": "my_service"}))
    rendered.uv("sync", "--quiet")
    in_project(rendered, database, "python", "-m", "my_service", "migrate")
    in_project(rendered, database, *WRITE_AN_ITEM[framework])
    [before] = stored_items(database, framework)
    assert before["version"] == 2  # created, then changed once

    output = update(project)
    # Only the README may conflict: the template changed its last lines, next to the team's appended notes.
    assert set(files_with_markers(project)) <= {"README.md"}, output[-3000:]
    resolve_like_a_team(project, output, framework)
    assert_typical_edits_kept(project, framework)
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert recorded["_commit"] == NEW_RELEASE
    assert differing_files(project, renders.reference(**user_answers(recorded))) == sorted(TEAM_FILES[framework])

    rendered.uv("sync", "--quiet")
    in_project(rendered, database, "python", "-m", "my_service", "migrate")
    [after] = stored_items(database, framework)
    assert "version" not in after
    kept = {key: value for key, value in before.items() if key != "version"}
    assert {key: after[key] for key in kept} == kept, "the item's values changed"
    assert after["row_version"] == before["version"]  # the ETags clients hold stay valid
    assert after["owner_id"] is None  # nobody's: only `items:admin` sees it
    assert after["status"] == "draft"
    assert after["available_at"] is None

    rendered.uv("run", "--no-sync", "ruff", "check", "--no-cache", ".")
    rendered.uv("run", "--no-sync", "ruff", "format", "--check", "--no-cache", ".")
    rendered.uv("run", "--no-sync", "mypy")
    # The suite of a fresh render is tests/test_rendered_checks.py's: here the items' tests and the team's.
    tests = ["tests/items/test_items.py", "tests/items/test_item_ownership.py", "tests/test_billing.py"]
    result = rendered.uv(
        "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", "-rA", "--no-cov", *tests
    )
    assert "PASSED tests/test_billing.py::test_invoice_total_is_added_by_the_team" in result.stdout


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


@SHARED_RENDERS
def test_a_conflicting_edit_gets_inline_markers_in_that_file_only(renders: Renders, tmp_path: Path) -> None:
    project = renders.generated(tmp_path / "service")
    newest = renders.reference()
    relative, line_index = _conflicting_edit(project, newest)
    make_typical_edits(project)
    target = project / relative
    lines = target.read_text().splitlines(keepends=True)
    lines[line_index] = lines[line_index].rstrip("\n") + "  # team: tuned for our traffic\n"
    target.write_text("".join(lines))
    git("commit", "-q", "-am", "conflicting edit", cwd=project)

    output = update(project)
    # Besides the conflicting line, the typical edits' changed default conflicts with the move into core/settings.py.
    # The README's last lines changed too, next to the team's appended notes: that conflict is named below as well.
    assert set(files_with_markers(project)) - {"README.md"} == {relative, SETTINGS_CLASS["fastapi"]}
    assert "# team: tuned for our traffic" in target.read_text()
    assert_typical_edits_kept(project)
    # The update ends by naming the files to resolve.
    listed = output.split("Files with conflict markers ('<<<<<<< before updating')", 1)
    assert len(listed) == 2, output[-3000:]
    assert f"\n  {relative}\n" in listed[1]


@SHARED_RENDERS
@share(1)
def test_turning_an_option_on_later_adds_exactly_that_feature(renders: Renders, tmp_path: Path) -> None:
    project = renders.generated(tmp_path / "service")
    update(project, "--data=use_redis=true")
    fresh = renders.reference(use_redis="true")

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


@SHARED_RENDERS
@share(1)
def test_a_docs_answer_keeps_its_meaning_and_redoc_joins_only_when_asked(renders: Renders, tmp_path: Path) -> None:
    """`redoc_page` came after `docs_ui`: an update asks nothing new and changes no page; turning it on later adds
    exactly ReDoc at /redoc beside the UI the project has."""
    project = renders.generated(tmp_path / "service", docs_ui="swagger")
    update(project)
    package = project / "src" / "my_service"
    assert (package / "docs_ui" / "vendor" / "swagger-ui-bundle.js").is_file()
    assert not (package / "redoc_page").exists()
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "updated", cwd=project)

    update(project, "--data=redoc_page=true")
    fresh = renders.reference(docs_ui="swagger", redoc_page="true")
    for folder in ("docs_ui", "redoc_page"):
        for path in (fresh / "src" / "my_service" / folder).rglob("*"):
            if path.is_file():
                relative = path.relative_to(fresh)
                assert (project / relative).read_bytes() == path.read_bytes(), relative
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert (answers["docs_ui"], answers["redoc_page"]) == ("swagger", True)


@SHARED_RENDERS
@share(0)
def test_a_jwt_project_stays_jwt_and_switches_to_users_when_asked(renders: Renders, tmp_path: Path) -> None:
    """`users` became the default: a committed project that answered `jwt` (the last release's default) keeps it
    through `copier update`, nothing about accounts appears, and `copier update --data auth=users` then turns it into
    exactly what a fresh `users` render is."""
    # Updated (and committed) once for this test and the next: the same project through the same update.
    project, output = renders.updated(tmp_path / "service", LAST_RELEASE, auth="jwt")
    assert "YOUR API NOW REQUIRES BEARER TOKENS" not in output
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["auth"] == "jwt"
    assert files_with_markers(project) == []
    # CHANGELOG.md is the team's own from the first copy on (_skip_if_exists): a fresh render's entries differ.
    assert differing_files(project, renders.reference(auth="jwt")) == ["CHANGELOG.md"]
    assert not (project / "src" / "my_service" / "users").exists()

    output = update(project, "--data=auth=users")
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["auth"] == "users"
    assert files_with_markers(project) == [], output
    fresh = renders.reference(auth="users")
    # CHANGELOG.md is the team's own from the first copy on (_skip_if_exists): a fresh render's first entry differs.
    assert differing_files(project, fresh) == ["CHANGELOG.md"]
    assert (project / "src" / "my_service" / "users" / "tokens.py").is_file()
    assert "AUTH_SIGNING_KEYS" in (project / ".env.example").read_text()


@SHARED_RENDERS
@share(0)
def test_a_project_keeps_uvicorn_and_switches_to_granian_when_asked(renders: Renders, tmp_path: Path) -> None:
    """`server` came after the last release: an update records uvicorn (no answer: the default) and changes no
    server file; `copier update --data server=granian` on the committed project then gives exactly a fresh granian
    render, without a conflict."""
    # `users` came later too; updated and committed once for this test and the one before.
    project, _ = renders.updated(tmp_path / "service", LAST_RELEASE, auth="jwt")
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["server"] == "uvicorn"
    assert "uvicorn[standard]" in (project / "pyproject.toml").read_text()

    output = update(project, "--data=server=granian")
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["server"] == "granian"
    assert files_with_markers(project) == [], output
    fresh = renders.reference(auth="jwt", server="granian")
    assert differing_files(project, fresh) == ["CHANGELOG.md"]  # the team's own (_skip_if_exists)
    assert "from granian" in (project / "src" / "my_service" / "core" / "server.py").read_text()


@SHARED_RENDERS
@share(1)
def test_an_update_that_adds_dependencies_relocks(renders: Renders, tmp_path: Path) -> None:
    project = renders.generated(tmp_path / "service", NEW_RELEASE)
    assert (project / "uv.lock").is_file()  # the copy task locked it
    printed = update(project, "--data=use_redis=true")
    assert "uv.lock updated" in printed, printed
    check = subprocess.run(
        [uv_binary(), "lock", "--check"],
        cwd=project,
        # The project's interpreter, as the update's own `uv lock` found it (the harness may run on another).
        env={**os.environ, "UV_PYTHON": python_interpreter(str(DEFAULT_ANSWERS["python_version"]))},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert check.returncode == 0, check.stderr  # `uv sync --locked` (CI, the Docker build) would take it
    assert 'name = "redis"' in (project / "uv.lock").read_text()


# --- no tags --------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def untagged_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The same releases as commits only: a clone without tags, where copier falls back to HEAD."""
    repo = tmp_path_factory.mktemp("template-untagged")
    return repo, build_release_repo(repo, tagged=False)


@SHARED_RENDERS
@share(1)
def test_update_without_tags_carries_edits_across_a_move(
    untagged_repo: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    repo, commits = untagged_repo
    project = generate(repo, tmp_path / "service", commits[FIRST_RELEASE])
    make_typical_edits(project)
    output = update(project, ref="HEAD")
    assert "Updating to template version 0.0.0.post" in output  # copier sees no release versions at all
    resolve_like_a_team(project, output, "fastapi")
    assert_typical_edits_kept(project)
    assert "tests/test_server.py -> merged into tests/test_process.py" in output


@SHARED_RENDERS
@share(1)  # with the test above: the untagged release repository is built on its commits only
def test_a_move_declared_in_the_table_carries_edits_from_any_release(
    untagged_repo: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """A template that moves a file in its newest commit and declares it in hooks/moves.py only: no version, no tag."""
    repo = tmp_path / "template"  # a copy of the untagged releases (history included), to which this test commits
    shutil.copytree(untagged_repo[0], repo, symlinks=True)
    commits = untagged_repo[1]
    project = generate(repo, tmp_path / "service", commits[PREVIOUS_RELEASE])
    readme_block = "\n## Our runbook\n\nPage the on-call engineer.\n"
    moved_from, moved_to = "tests/test_process.py", "tests/test_lifecycle.py"
    (project / moved_from).write_text((project / moved_from).read_text() + PROCESS_TEST)
    (project / "README.md").write_text((project / "README.md").read_text() + readme_block)
    git("commit", "-q", "-am", "team edits", cwd=project)

    # The newest template moves tests/test_process.py and changes its first line.
    source = repo / "template" / f"{moved_from}.jinja"  # rendered per server: a template file
    target = repo / "template" / f"{moved_to}.jinja"
    target.write_text("# Process-level tests: signals, draining, exit codes.\n" + source.read_text())
    source.unlink()
    moves = repo / "hooks" / "moves.py"
    moves.write_text(
        moves.read_text().replace(
            '"tests/test_server.py": "tests/test_process.py",',
            f'"tests/test_server.py": "tests/test_process.py",\n    "{moved_from}": "{moved_to}",',
        )
    )
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "move the process tests", cwd=repo)

    output = update(project, ref="HEAD")
    assert not (project / moved_from).exists()
    moved = (project / moved_to).read_text()
    assert moved.startswith("# Process-level tests"), "the template's change is in"
    assert moved.endswith(PROCESS_TEST), "the team's test followed the move"
    # Only the README may conflict: the template changed its last lines, next to the team's appended section, which
    # is kept either way and, in a conflict, named.
    assert files_with_markers(project) in ([], ["README.md"])
    if files_with_markers(project):
        assert "\n  README.md\n" in output.split("Files with conflict markers", 1)[-1]
    assert f"{moved_from} -> merged into {moved_to}" in output
    assert readme_block.strip() in (project / "README.md").read_text()


# --- turning options off ---------------------------------------------------------------------------------------------

OPTIONS_OFF = ("--data=use_sentry=false", "--data=rate_limiting=false", "--data=docs_ui=swagger")
TEAM_LINE = "# team: reviewed for our compliance audit\n"


@SHARED_RENDERS
@pytest.mark.parametrize("framework", frameworks_in_turn(1))
def test_turning_options_off_keeps_edited_feature_files_and_names_them(
    renders: Renders, tmp_path: Path, framework: str
) -> None:
    project = renders.generated(tmp_path / "service", NEW_RELEASE, framework=framework)
    reduced = renders.reference(framework=framework, use_sentry="false", rate_limiting="false", docs_ui="swagger")
    removed = sorted(
        str(path.relative_to(project))
        for path in project.rglob("*.py")
        if ".git" not in path.parts and not (reduced / path.relative_to(project)).exists()
    )
    assert len(removed) >= 4, removed
    edited, untouched = removed[:-1], removed[-1]
    for relative in edited:
        path = project / relative
        path.write_text(path.read_text() + TEAM_LINE)
    git("commit", "-q", "-am", "team edits to feature files", cwd=project)

    output = update(project, *OPTIONS_OFF)
    for relative in edited:
        assert (project / relative).read_text().endswith(TEAM_LINE), relative
        assert f"{relative} -> kept as you left it" in output, output[-3000:]
    assert not (project / untouched).exists(), "a file the team never changed goes with its option"
    assert untouched not in output
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert (answers["use_sentry"], answers["rate_limiting"], answers["docs_ui"]) == (False, False, "swagger")


# --- framework --------------------------------------------------------------------------------------------------------


def assert_nothing_written(project: Path) -> None:
    assert git("status", "--porcelain", "--untracked-files=all", cwd=project) == ""


@SHARED_RENDERS
def test_changing_the_framework_of_a_project_from_the_first_release_is_refused(
    renders: Renders, tmp_path: Path
) -> None:
    project = renders.generated(tmp_path / "service")
    result = copier(
        "update", "--trust", "--defaults", "--vcs-ref", NEW_RELEASE, "--data=framework=django", cwd=project,
        check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "Refusing to change framework from 'fastapi' to 'django'" in result.stderr
    assert "generate a new project" in result.stderr
    assert_nothing_written(project)


@SHARED_RENDERS
@pytest.mark.parametrize("command", ["update", "recopy"])
def test_changing_the_framework_of_a_current_project_is_refused(renders: Renders, tmp_path: Path, command: str) -> None:
    project = renders.generated(tmp_path / "service", NEW_RELEASE, framework="django")
    result = copier(
        command, "--trust", "--defaults", "--vcs-ref", NEW_RELEASE, "--data=framework=fastapi", cwd=project,
        check=False,
    )  # fmt: skip
    assert result.returncode != 0
    # `update` stops in the before-migration (hooks/update.py), `recopy` in the question's validator: both say why.
    message = " ".join(result.stderr.split())
    assert (
        "Refusing to change framework from 'django' to 'fastapi'" in message
        or "This project was generated with framework=django; changing it to fastapi" in message
    ), message
    assert "nothing was changed" in message.lower()
    assert_nothing_written(project)


# --- recopy --------------------------------------------------------------------------------------------------------


def test_recopy_keeps_the_lock_and_prints_no_first_copy_steps(release_repo: Path, tmp_path: Path) -> None:
    destination = tmp_path / "service"
    data = [f"--data={key}={value}" for key, value in DEFAULT_ANSWERS.items()]
    source = str(release_repo)
    first = copier("copy", "--trust", "--defaults", "--vcs-ref", NEW_RELEASE, *data, source, str(destination))
    assert "uv.lock created." in first.stdout
    assert "git init" in first.stdout
    assert f"cd {destination}" in first.stdout
    git("init", "-q", "-b", "main", cwd=destination)
    (destination / "uv.lock").write_text((destination / "uv.lock").read_text() + "# the team's lock\n")
    (destination / "README.md").write_text((destination / "README.md").read_text() + TEAM_NOTES)
    git("add", "-A", cwd=destination)
    git("commit", "-q", "-m", "generated", cwd=destination)

    again = copier("recopy", "--trust", "--defaults", "--overwrite", "--vcs-ref", NEW_RELEASE, cwd=destination)
    printed = again.stdout + again.stderr
    assert (destination / "uv.lock").read_text().endswith("# the team's lock\n"), "recopy must not relock"
    assert "uv.lock kept as it was" in printed
    assert "git init" not in printed
    assert "cd " not in printed
    assert "Next steps" not in printed
    # What recopy is for: a fresh render with the recorded answers, discarding edits to rendered files.
    assert not (destination / "README.md").read_text().endswith(TEAM_NOTES)


@SHARED_RENDERS
def test_a_framework_change_answered_interactively_is_undone(
    release_repo: Path, renders: Renders, tmp_path: Path
) -> None:
    """The `before` stage sees only `--data`; an answer typed at the prompt reaches the `after` stage, which puts the
    tree back at the last commit. Run as copier runs it, in a project whose update rendered the other framework."""
    project = renders.generated(tmp_path / "service", NEW_RELEASE)
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("framework: fastapi", "framework: django"))
    (project / "manage.py").write_text("# what the other framework's render would add\n")
    (project / "README.md").write_text("interleaved\n")
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "hooks" / "update.py"), "after", str(release_repo)],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Refusing to change framework from 'fastapi' to 'django'" in result.stderr
    assert_nothing_written(project)


# --- the last release's layout ----------------------------------------------------------------------------------

TEAM_COMMENT = "# team: reviewed in our audit, keep\n"


def _moves_table() -> Any:
    spec = importlib.util.spec_from_file_location("template_moves", REPO_ROOT / "hooks" / "moves.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@SHARED_RENDERS
@pytest.mark.parametrize("framework", frameworks_in_turn(2))
def test_update_from_the_previous_release_carries_edits_into_every_moved_file(
    renders: Renders, tmp_path: Path, framework: str
) -> None:
    """Every file of a project from the last release that the template has since moved (hooks/moves.py) and that
    the team edited: the team's line is in the file's new home afterwards, merged or in a conflict the update names;
    nothing is left at the old path."""
    moves = _moves_table()
    # 0.3.0 knew `jwt` and `none` (its default was `jwt`); the project keeps its answer.
    project = renders.generated(tmp_path / "service", LAST_RELEASE, framework=framework, auth="jwt")
    tracked = git("ls-files", cwd=project).split()
    fresh = renders.reference(framework=framework, auth="jwt")
    # The table's entries for this project's files that the newest template really moved (not the other
    # framework's: a key names a path, and e.g. FastAPI's app.py stays where Django's old app.py moved from).
    moved = {old: moves.new_paths(old, "my_service") for old in tracked if not (fresh / old).exists()}
    moved = {old: new for old, new in moved.items() if new}
    assert moved, "the table names no file of this release: the test would prove nothing"
    for old in moved:
        path = project / old
        path.write_text(path.read_text() + TEAM_COMMENT)
    git("commit", "-q", "-am", "team edits in files the template later moved", cwd=project)

    output = update(project)
    listed = output.split("Files with conflict markers", 1)[-1]
    for old, candidates in moved.items():
        homes = [project / new for new in candidates if (project / new).exists()]
        assert homes, f"{old}: none of its new homes {candidates} exists after the update"
        assert not (project / old).exists() or TEAM_COMMENT in (project / old).read_text()
        assert any(TEAM_COMMENT in home.read_text() for home in homes) or TEAM_COMMENT in (
            (project / old).read_text() if (project / old).exists() else ""
        ), f"{old}: the team's line was lost"
        assert f"{old} -> merged into" in output or f"{old}" in output, f"{old} is not named by the update"
    for relative in files_with_markers(project):
        assert relative in listed, f"{relative} has conflict markers but the update did not name it"


# --- jobs: the queue's tables come through the project's migrations -----------------------------------------------

JOBS_FILES = {
    "fastapi": ["src/my_service/jobs", "src/my_service/migrations/versions/0007_create_jobs.py", "tests/test_jobs.py"],
    "django": ["src/my_service/jobs", "src/my_service/jobs/migrations/0001_initial.py", "tests/jobs"],
}
OPERATIONS_TABLE = {"fastapi": "operations", "django": "jobs_operation"}
USERS_TABLE = {"fastapi": "users", "django": "users_user"}
PASSPHRASE = "a passphrase of the release's account\n"
# What the update brings, run on PostgreSQL: a deferral that rolls back, an export run by a real worker, another
# caller's operation. The rest of the jobs' tests (signals, stalls, two workers) are a fresh render's to run
# (test_rendered_checks.py): the updated project is that render, file for file.
JOBS_TESTS = {
    "fastapi": ["tests/test_jobs.py", "-k", "rolls_back or pending_running_succeeded or another_callers"],
    "django": ["tests/jobs", "-k", "rolls_back or export_over_http or another_callers"],
}
QUEUE_TABLES = {"procrastinate_jobs", "procrastinate_events", "procrastinate_periodic_defers", "procrastinate_workers"}


def public_tables(database_url: str) -> set[str]:
    """The tables of a PostgreSQL database's public schema (the project may have no driver: psql reads them)."""
    return set(psql_rows(database_url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))


def psql_rows(database_url: str, query: str) -> list[str]:
    """The rows `query` answers, one line each (columns joined by `|`), read with psql."""
    cluster = postgres_server.postgres_cluster.shared_cluster()
    assert cluster is not None
    psql = cluster.binaries / "psql"
    answered = subprocess.run(
        [str(psql if psql.exists() else shutil.which("psql") or "psql"), "-At", "-d", database_url, "-c", query],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return answered.stdout.splitlines()


def command_on_postgresql(
    project: RenderedProject, database_url: str, working_directory: Path, *arguments: str, stdin: str = ""
) -> None:
    """`python -m my_service <arguments>` against `database_url`, as a deployment runs it (the project installed)."""
    environment = project.env(DATABASE_URL=database_url, ENVIRONMENT="development")
    ran = subprocess.run(
        [str(project.venv_python), "-m", "my_service", *arguments],
        cwd=working_directory,  # away from the project's .env
        env={key: value for key, value in environment.items() if not key.startswith("DJANGO_")},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout[-4000:] + ran.stderr[-4000:]


def migrate_on_postgresql(project: RenderedProject, database_url: str, working_directory: Path) -> None:
    """The project installed and its `migrate` run against `database_url`, as a deployment runs it."""
    project.uv("sync", "--quiet", "--compile-bytecode")
    command_on_postgresql(project, database_url, working_directory, "migrate")


def jobs_traces(project: Path) -> list[str]:
    """Files of the project that are part of the jobs, or name the queue's library."""
    return sorted(
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file()
        and not NOT_COMPARED.intersection(path.relative_to(project).parts)
        and ("jobs" in path.relative_to(project).parts or b"procrastinate" in path.read_bytes())
    )


@SHARED_RENDERS
@pytest.mark.parametrize("framework", frameworks_in_turn(3))
def test_update_from_before_jobs_adds_the_queue_through_the_projects_migrations(
    renders: Renders, tmp_path: Path, framework: str
) -> None:
    """A PostgreSQL project of the release before jobs, updated with the defaults (jobs on): its own `migrate`
    creates the queue's tables (procrastinate's) and the operations table on a real PostgreSQL database that held
    the release's tables, and the static checks and the jobs' tests of what the update touches pass (JOBS_TESTS)."""
    project, output = renders.updated(tmp_path / "service", BEFORE_OWNERSHIP, framework=framework)
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["jobs"] is True, output[-3000:]
    for relative in JOBS_FILES[framework]:
        assert (project / relative).exists(), f"the update did not add {relative}"
    assert not files_with_markers(project), output[-3000:]
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    # The new release, file for file, but the project's CHANGELOG (its own: an update never touches it).
    assert differing_files(project, renders.reference(**user_answers(recorded))) == ["CHANGELOG.md"]

    answers = with_defaults({"framework": framework, "package_name": "my_service"})
    database_url = postgres_server.new_database_url()
    # The database as the release left it, migrated by the release's own code; then by the updated project's.
    released = RenderedProject(renders.generated(tmp_path / "released", BEFORE_OWNERSHIP, framework=framework), answers)
    migrate_on_postgresql(released, database_url, tmp_path)
    assert OPERATIONS_TABLE[framework] not in public_tables(database_url)
    # An account the release made: the update's migrations keep it able to sign in (verified, active).
    command_on_postgresql(released, database_url, tmp_path, "users", "create", "ada@example.com", stdin=PASSPHRASE)
    rendered = RenderedProject(project, answers)
    migrate_on_postgresql(rendered, database_url, tmp_path)
    tables = public_tables(database_url)
    assert tables >= QUEUE_TABLES, sorted(tables)
    assert OPERATIONS_TABLE[framework] in tables, sorted(tables)
    query = f"SELECT email, is_active, is_verified FROM {USERS_TABLE[framework]}"
    assert psql_rows(database_url, query) == ["ada@example.com|t|t"]

    rendered.uv("run", "--no-sync", "ruff", "check", "--no-cache", ".")
    rendered.uv("run", "--no-sync", "ruff", "format", "--check", "--no-cache", ".")
    rendered.uv("run", "--no-sync", "mypy")
    tests = subprocess.run(
        [str(rendered.venv_python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", "--no-cov",
         *JOBS_TESTS[framework]],
        cwd=project,
        env=rendered.env(TEST_DATABASE_URL=postgres_server.new_database_url()),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout[-6000:] + tests.stderr[-3000:]
    assert " passed" in tests.stdout, tests.stdout[-3000:]
    assert "skipped" not in tests.stdout, tests.stdout[-3000:]  # the jobs' tests ran on PostgreSQL


@SHARED_RENDERS
@pytest.mark.parametrize("framework", frameworks_in_turn(4))
def test_update_from_before_jobs_answering_no_adds_nothing_of_them(
    renders: Renders, tmp_path: Path, framework: str
) -> None:
    """The same project answering jobs=false: no jobs package, no migration, no queue library; and nothing else of
    the jobs in any file."""
    project = renders.generated(tmp_path / "service", BEFORE_OWNERSHIP, framework=framework)
    output = update(project, "--data=jobs=false")
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["jobs"] is False, output[-3000:]
    assert jobs_traces(project) == []
    for relative in JOBS_FILES[framework]:
        assert not (project / relative).exists(), f"{relative} came with jobs=false"
