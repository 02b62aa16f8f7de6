"""The Django variant's own production checks, run inside an installed Django render: `manage.py check --deploy`
with production settings, and migrations that match the models."""

from __future__ import annotations

import secrets

import pytest

from .conftest import ProjectFactory, RenderedProject
from .variants import pairwise

pytestmark = pytest.mark.slow

DJANGO_VARIANT = next(answers for answers in pairwise() if answers.get("framework") == "django")


@pytest.fixture(scope="module")
def django_project(projects: ProjectFactory) -> RenderedProject:
    return projects.installed(**DJANGO_VARIANT)


def manage(project: RenderedProject, *args: str, **env: str) -> tuple[int, str]:
    import subprocess

    result = subprocess.run(
        [str(project.venv_python), "manage.py", *args],
        cwd=project.path,
        env=project.env(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def test_check_deploy_is_clean_with_production_settings(django_project: RenderedProject) -> None:
    code, output = manage(
        django_project,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        ENVIRONMENT="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="api.example.com",
    )
    assert code == 0, output
    assert "System check identified no issues" in output


def test_check_deploy_flags_what_production_refuses(django_project: RenderedProject) -> None:
    # The development key passes Settings only outside staging/production; Django's own check agrees it is weak.
    code, output = manage(django_project, "check", "--deploy", "--fail-level", "WARNING", ENVIRONMENT="development")
    assert code != 0
    assert "security.W009" in output  # SECRET_KEY
    # Django's security middleware is not installed on purpose (our ASGI layer sends those headers): silenced, with
    # the reason, in SILENCED_CHECKS; a finding here would mean someone removed the reason or added the middleware.
    assert not [check for check in ("security.W001", "security.W002", "security.W003") if check in output]


def test_production_settings_refuse_the_development_key(django_project: RenderedProject) -> None:
    code, output = manage(django_project, "check", ENVIRONMENT="production")
    assert code != 0
    assert "SECRET_KEY must be set in production" in output


def test_migrations_match_the_models(django_project: RenderedProject) -> None:
    code, output = manage(django_project, "makemigrations", "--check", "--dry-run")
    assert code == 0, output
    assert "No changes detected" in output


def test_migrate_is_the_documented_production_step(django_project: RenderedProject, tmp_path: object) -> None:
    database = f"{tmp_path}/production.sqlite3"
    code, output = manage(
        django_project,
        "migrate",
        "--no-input",
        ENVIRONMENT="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_PATH=database,
    )
    assert code == 0, output
    assert "Applying items.0001_initial... OK" in output
    assert "migrate" in (django_project.path / "README.md").read_text()
