"""The Django variant's own checks, run inside an installed Django render: `manage.py check --deploy` with
production settings, migrations that match the models, createsuperuser and the admin in Chromium."""

from __future__ import annotations

import secrets
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .bearer import SERVICE_AUTH, uses_tokens
from .conftest import ProjectFactory, RenderedProject, variant_group
from .contract.service import start_service
from .postgres_server import deployable_database_url
from .test_docs_ui import CHROMIUM, CHROMIUM_FLAGS, VIOLATION_RECORDER, PageRecord
from .variants import first_to_run

# Production settings name a database; the checks below never connect to it.
DEPLOYED_URL_NOT_CONNECTED = "postgresql://service@database.invalid:5432/service"
# A Django variant on PostgreSQL with bearer tokens (production then needs a PostgreSQL URL and an auth key).
FOUND = first_to_run(
    lambda answers: answers["framework"] == "django" and answers["database"] == "postgresql" and uses_tokens(answers)
)
assert FOUND is not None, "no pairwise variant runs Django on PostgreSQL with bearer tokens"
DJANGO_VARIANT = FOUND

pytestmark = [pytest.mark.slow, variant_group(DJANGO_VARIANT)]


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
        DATABASE_URL=DEPLOYED_URL_NOT_CONNECTED,
        **SERVICE_AUTH,
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
    code, output = manage(
        django_project, "check", ENVIRONMENT="production", DATABASE_URL=DEPLOYED_URL_NOT_CONNECTED, **SERVICE_AUTH
    )
    assert code != 0
    assert "SECRET_KEY: must be set in production" in output


def test_migrations_match_the_models(django_project: RenderedProject) -> None:
    code, output = manage(django_project, "makemigrations", "--check", "--dry-run")
    assert code == 0, output
    assert "No changes detected" in output


@pytest.mark.parametrize("command", [["manage.py", "migrate", "--no-input"], ["-m", "{package}", "migrate"]])
def test_migrate_is_the_documented_production_step(
    django_project: RenderedProject, tmp_path: Path, command: list[str]
) -> None:
    env = django_project.env(
        ENVIRONMENT="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=deployable_database_url(django_project, tmp_path),
        **SERVICE_AUTH,
    )
    run = [str(django_project.venv_python), *(part.format(package=django_project.package) for part in command)]
    first = subprocess.run(run, cwd=django_project.path, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stdout + first.stderr
    again = subprocess.run(run, cwd=django_project.path, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr  # nothing left to do: still a success
    if command[0] == "manage.py":
        assert "Applying items.0001_initial... OK" in first.stdout
        assert "No migrations to apply" in again.stdout
    assert "migrate" in (django_project.path / "README.md").read_text()


def test_createsuperuser_then_the_admin_works_in_chromium(django_project: RenderedProject, tmp_path: Path) -> None:
    """`manage.py createsuperuser`, then sign in to /admin/ and open the items in real Chromium: every page under
    the admin's own Content-Security-Policy with no violation, every file from the service itself."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    database = f"sqlite:///{tmp_path / 'admin.sqlite3'}"
    assert manage(django_project, "migrate", "--no-input", DATABASE_URL=database)[0] == 0
    code, output = manage(
        django_project,
        "createsuperuser",
        "--no-input",
        DATABASE_URL=database,
        DJANGO_SUPERUSER_USERNAME="admin",
        DJANGO_SUPERUSER_EMAIL="admin@example.com",
        DJANGO_SUPERUSER_PASSWORD="a-long-admin-password-1",
    )
    assert code == 0, output
    service = start_service(django_project, tmp_path, DATABASE_URL=database, LOG_LEVEL="WARNING")
    record = PageRecord()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page()
            page.add_init_script(VIOLATION_RECORDER)
            page.on("request", lambda request: record.requests.append(request.url))
            page.on("requestfailed", lambda request: record.failed.append(f"{request.url}: {request.failure}"))
            page.on(
                "response",
                lambda response: (
                    record.bad_statuses.append(f"{response.status} {response.url}") if response.status >= 400 else None
                ),
            )
            page.on("console", lambda message: record.console.append(f"{message.type}: {message.text}"))
            page.on("pageerror", lambda error: record.console.append(f"pageerror: {error}"))
            login = page.goto(f"{service.base_url}/admin/", wait_until="load")
            violations = page.evaluate("window.__cspViolations")
            # The service's own accounts (auth=users) sign in by email: Django's admin asks for USERNAME_FIELD.
            page.fill("#id_username", "admin@example.com" if django_project.answers["auth"] == "users" else "admin")
            page.fill("#id_password", "a-long-admin-password-1")
            page.click("input[type=submit]")
            page.wait_for_load_state("load")
            violations += page.evaluate("window.__cspViolations")
            page.click("a[href='/admin/items/item/']")
            page.wait_for_load_state("load")
            violations += page.evaluate("window.__cspViolations")
            page.click("a[href='/admin/items/item/add/']")
            page.wait_for_load_state("load")
            violations += page.evaluate("window.__cspViolations")
            heading = page.inner_text("h1")
            browser.close()
    finally:
        service.kill()
    assert login is not None
    assert login.status == 200  # after the redirect to the sign-in page
    policy = login.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert heading == "Add item"
    assert violations == []
    # The browser's own /favicon.ico request (404, the admin has no icon) shows only as a console error; every
    # request of the pages themselves is checked through `bad_statuses` and `failed`.
    favicon = "error: Failed to load resource: the server responded with a status of 404 (Not Found)"
    errors = [line for line in record.console if line.startswith("error") and line != favicon]
    assert not [line for line in record.console if "Content Security Policy" in line]
    assert errors == []
    assert not [line for line in record.console if line.startswith("pageerror")]
    assert record.failed == []
    assert record.bad_statuses == []
    assert any("/static/admin/css/base.css" in url for url in record.requests)
    assert {urlsplit(url).hostname for url in record.requests} == {"127.0.0.1"}


def test_admin_is_not_routed_in_production(django_project: RenderedProject, tmp_path: Path) -> None:
    service = start_service(
        django_project,
        tmp_path,
        ENVIRONMENT="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        MIGRATE_ON_START="true",
    )
    try:
        with service.client() as http:
            statuses = [
                http.get(path).status_code for path in ("/admin/", "/admin/login/", "/static/admin/css/base.css")
            ]
    finally:
        service.kill()
    assert statuses == [404, 404, 404]
