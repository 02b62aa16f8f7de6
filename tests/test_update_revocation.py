"""Durable revocation reaches existing `auth=jwt` projects: `copier update` from the last release before it adds the
`revoked_tokens` table (FastAPI: Alembic revision 0002; Django: the `revocations` app's
first migration), and a later `copier update --data auth=users` adds the accounts' tables without creating that
table a second time. Each step is applied with the project's own `migrate` command to one SQLite database, as a
deployment would apply it.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from .conftest import python_interpreter, uv_binary
from .releases import LAST_RELEASE, RELEASES
from .test_update import NEW_RELEASE, build_release_repo, generate, git, update
from .variants import DEFAULT_ANSWERS, frameworks_in_turn

# Releases only: `copier copy` renders the newest tag, so no team is on a main commit between two releases (main's
# commit just before durable revocation, ade3625, was tested here too: twice the time, for no team).
RELEASES_BEFORE = {LAST_RELEASE: RELEASES[LAST_RELEASE]}
JWT_PROJECT = {"auth": "jwt", "use_redis": "true", "database": "sqlite"}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("template-revocation")
    build_release_repo(repo, tagged=True, releases=RELEASES_BEFORE)
    return repo


def uv(project: Path, *arguments: str, database: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "DJANGO_", "VIRTUAL_ENV"))
    }
    environment.update(
        UV_PYTHON=python_interpreter(str(DEFAULT_ANSWERS["python_version"])),
        DATABASE_URL=f"sqlite:///{database}",
        ENVIRONMENT="development",
    )
    command = [uv_binary(), *arguments]
    result = subprocess.run(command, cwd=project, env=environment, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def migrate(project: Path, database: Path) -> None:
    uv(project, "sync", "--quiet", database=database)
    uv(project, "run", "python", "-m", "my_service", "migrate", database=database)


def tables(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        return {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def commit(project: Path, message: str) -> None:
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", message, cwd=project)


@pytest.mark.slow
@pytest.mark.parametrize("framework", frameworks_in_turn(6))  # one per commit in turn; ALL_VARIANTS=1: both
def test_a_jwt_project_gets_the_revocation_table_once_then_switches_to_users(
    repo: Path, tmp_path: Path, framework: str
) -> None:
    revoked_table = "revoked_tokens" if framework == "fastapi" else "revocations_revokedtoken"
    project = generate(repo, tmp_path / "service", LAST_RELEASE, framework=framework, **JWT_PROJECT)
    database = tmp_path / "service.sqlite3"
    migrate(project, database)
    assert revoked_table not in tables(database)

    update(project)  # keeps auth=jwt
    commit(project, "updated")
    migrate(project, database)
    assert revoked_table in tables(database)
    with sqlite3.connect(database) as connection:  # a revocation recorded now must survive the switch below
        if framework == "fastapi":
            connection.execute("INSERT INTO revoked_tokens (token_id, until) VALUES ('kept', 9999999999)")
        else:
            connection.execute(
                "INSERT INTO revocations_revokedtoken (jti, expires_at) VALUES ('kept', '2286-11-20 17:46:39')"
            )

    update(project, "--data=auth=users")
    commit(project, "auth=users")
    if framework == "django":
        # Django cannot swap AUTH_USER_MODEL under applied admin migrations (CHANGELOG): a new database.
        database = tmp_path / "users.sqlite3"
    migrate(project, database)
    found = tables(database)
    assert {revoked_table, "users" if framework == "fastapi" else "users_user"} <= found
    if framework == "fastapi":
        assert "refresh_tokens" in found
        with sqlite3.connect(database) as connection:
            # The accounts' revisions applied up to the newest: 0013, the audit trail's subject types.
            assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [("0013",)]
            assert connection.execute("SELECT token_id FROM revoked_tokens").fetchall() == [("kept",)]
    else:
        assert "users_refreshtoken" in found
        assert "users_revokedtoken" not in found  # the table is the revocations app's alone
    assert NEW_RELEASE  # the updates went to the current template
