"""Run what a rendered project ships for testing a deployed service: `make e2e` and `make loadtest`, with the
credentials a user gives them (accounts made with the service's own command, or tokens), and a service that grew
resources of its own the way the rendered README says (one of them broken)."""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import uuid
from collections.abc import Iterable
from pathlib import Path

from ..bearer import ALL_SCOPES, FILE_SCOPES, token, uses_tokens
from ..conftest import RenderedProject, uv_binary
from .service import Service

E2E_SUBJECT = "end-to-end-suite"  # a rate-limit budget of its own in variants with tokens
OTHER_SUBJECT = "end-to-end-suite-other"  # the second caller of the ownership tests
LOAD_SUBJECTS = tuple(f"load-test-{number}" for number in range(5))  # one budget each: the load spreads over them


def admin_account(project: RenderedProject, service_env: dict[str, str], working_directory: Path) -> dict[str, str]:
    """`E2E_USERNAME`/`E2E_PASSWORD` of a new account holding every scope and `users:admin`, made as an operator
    makes one (`python -m <package> users create EMAIL --admin`, the password on standard input) in the service's
    database (`service_env`: the environment the service runs with)."""
    email, password = f"e2e-{uuid.uuid4().hex[:12]}@example.com", secrets.token_urlsafe(18)
    created = subprocess.run(
        [str(project.venv_python), "-m", project.package, "users", "create", email, "--admin"],
        input=f"{password}\n",
        cwd=working_directory,
        env=service_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert created.returncode == 0, created.stdout + created.stderr
    return {"E2E_USERNAME": email, "E2E_PASSWORD": password}


def credentials(project: RenderedProject, service: Service | None, scopes: Iterable[str] = ()) -> dict[str, str]:
    """What the shipped suites read to call this variant's service: with accounts (`auth=users`) an admin account of
    the running `service` (the suites make the other accounts they need through the users API); with `auth=jwt`
    tokens holding every scope (the items', `scopes` and, with jobs, operations:read), one for the run, one for a
    second caller and one per load account; nothing with `auth=none`."""
    if not uses_tokens(project.answers):
        return {}
    auth = project.answers["auth"]
    every_scope = (*ALL_SCOPES, *scopes)
    if project.answers.get("jobs"):
        every_scope = (*every_scope, "operations:read")  # the export's operation, polled (e2e/test_operations.py)
    if project.answers.get("file_storage"):
        every_scope = (*every_scope, *FILE_SCOPES)  # e2e/test_files.py
    if auth == "users" and service is not None:
        return admin_account(project, service.env, service.log_path.parent)
    return {
        "E2E_TOKEN": token(subject=E2E_SUBJECT, scopes=every_scope, auth=auth),
        "E2E_OTHER_TOKEN": token(subject=OTHER_SUBJECT, scopes=every_scope, auth=auth),
        "E2E_TOKENS": " ".join(token(subject=subject, scopes=every_scope, auth=auth) for subject in LOAD_SUBJECTS),
    }


def make(
    project: RenderedProject,
    target: str,
    url: str,
    *,
    credentials: dict[str, str],
    timeout: float = 180,
    **env: str,
) -> subprocess.CompletedProcess[str]:
    make_binary = shutil.which("make")
    assert make_binary is not None, "make is not installed"
    return subprocess.run(
        [make_binary, "--no-print-directory", target, f"URL={url}", f"UV={uv_binary()}"],
        cwd=project.path,
        env=project.env(**credentials, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def planted_fault_overlay(project: RenderedProject, directory: Path) -> Path:
    """A copy of the project's package whose security headers are wrong (X-Frame-Options: SAMEORIGIN), for
    PYTHONPATH: it comes before the project's own (editable) install, so the service starts from the copy."""
    source = project.path / "src" / project.package
    overlay = directory / "planted-fault"
    shutil.copytree(source, overlay / project.package, ignore=shutil.ignore_patterns("__pycache__"))
    headers = overlay / project.package / "core" / "middleware" / "security_headers.py"
    text = headers.read_text()
    assert '"X-Frame-Options": "DENY"' in text, "the fault to plant is not where it was: update this helper"
    headers.write_text(text.replace('"X-Frame-Options": "DENY"', '"X-Frame-Options": "SAMEORIGIN"'))
    return overlay


# --- resources a team adds (the rendered README's "Add a resource": copy the example, rename it) ----------------------

# The renaming of the README's step (`sed -e 's/items/orders/g; s/Items/Orders/g; ...'`), then `.orders()` back to
# `.items()` (a dict's method, not the resource).
SPELLINGS = (("items", "{plural}"), ("Items", "{Plural}"), ("ITEMS", "{PLURAL}"))
SINGULAR_SPELLINGS = (("item", "{singular}"), ("Item", "{Singular}"), ("ITEM", "{SINGULAR}"))


def renamed(text: str, plural: str, singular: str) -> str:
    names = {
        "plural": plural,
        "Plural": plural.capitalize(),
        "PLURAL": plural.upper(),
        "singular": singular,
        "Singular": singular.capitalize(),
        "SINGULAR": singular.upper(),
    }
    for old, new in (*SPELLINGS, *SINGULAR_SPELLINGS):
        text = text.replace(old, new.format(**names))
    return text.replace(f".{plural}()", ".items()")


def add_resource(project: RenderedProject, package: Path, plural: str, singular: str) -> None:
    """`package` (a copy of the project's) grows the resource `plural`, a renamed copy of `items`, registered as the
    README says. Its migration is written afterwards (`write_migrations`)."""
    source, copy = package / "items", package / plural
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))
    if project.answers.get("framework", "fastapi") == "django":
        for migration in (copy / "migrations").glob("0*.py"):
            migration.unlink()  # `makemigrations` writes the new app's own
    for path in copy.rglob("*.py"):
        path.write_text(renamed(path.read_text(), plural, singular))
    if project.answers.get("framework", "fastapi") == "django":
        register(package / "settings.py", '    f"{PACKAGE}.items",\n', f'    f"{{PACKAGE}}.{plural}",\n')
        items_urls = f'    path(f"{{API_V1}}/", include("{project.package}.items.urls")),\n'
        register(package / "urls.py", items_urls, items_urls.replace(".items.", f".{plural}."))
    else:
        register(
            package / "app.py", "from .items import routes as items\n", f"from .{plural} import routes as {plural}\n"
        )
        register(package / "app.py", "    items.router,\n", f"    {plural}.router,\n")


def register(path: Path, anchor: str, line: str) -> None:
    text = path.read_text()
    assert text.count(anchor) == 1, f"{path.name}: {anchor.strip()!r} is not where the README says: update this helper"
    path.write_text(text.replace(anchor, anchor + line))


def break_the_read(project: RenderedProject, package: Path, plural: str) -> None:
    """The read by id of resource `plural` answers 500 (it raises), whatever the record: what a team's broken view
    looks like from outside. Every other operation of the resource works."""
    if project.answers.get("framework", "fastapi") == "django":
        views = package / plural / "views.py"
        viewsets = re.findall(r"^class (\w+ViewSet)\(", views.read_text(), flags=re.MULTILINE)
        assert len(viewsets) == 1, f"{views}: expected one viewset, found {viewsets}: update this helper"
        fault = f"""

def _planted_fault(*_: object, **__: object) -> None:
    raise RuntimeError("planted fault: the read by id is broken")


{viewsets[0]}.retrieve = _planted_fault  # type: ignore[assignment,method-assign]
"""
        views.write_text(views.read_text() + fault)
        return
    routes = package / plural / "routes.py"
    # The app includes the router's routes with their dependencies: one more that raises breaks the read.
    fault = """

def _planted_fault() -> None:
    raise RuntimeError("planted fault: the read by id is broken")


_broken = [route for route in router.routes if route.path.endswith("}") and "GET" in route.methods]
assert len(_broken) == 1, _broken
_broken[0].dependencies.append(Depends(_planted_fault))
"""
    text = routes.read_text()
    if not re.search(r"^from fastapi import .*\bDepends\b", text, flags=re.MULTILINE):
        fault = "\nfrom fastapi import Depends" + fault
    routes.write_text(text + fault)


def write_migrations(project: RenderedProject, overlay: Path, directory: Path, *plurals: str) -> None:
    """Step "write its migration" of the README, for the resources added to the package in `overlay`: Alembic's
    autogenerate against a database at head (FastAPI) or `makemigrations` (Django), into the overlay."""
    env = project.env(
        PYTHONPATH=str(overlay), ENVIRONMENT="development", DATABASE_URL=f"sqlite:///{directory / 'autogen.sqlite3'}"
    )
    if project.answers.get("framework", "fastapi") == "django":
        commands = [[str(project.venv_python), str(project.path / "manage.py"), "makemigrations", *plurals]]
    else:
        # From the overlay: alembic.ini's `prepend_sys_path = src` (relative) then finds no `src` to put first.
        alembic = [str(project.path / ".venv" / "bin" / "alembic"), "-c", str(project.path / "alembic.ini")]
        commands = [
            [str(project.venv_python), "-m", project.package, "migrate"],
            [*alembic, "revision", "--autogenerate", "-m", f"create {' and '.join(plurals)}"],
        ]
    for command in commands:
        result = subprocess.run(command, cwd=overlay, env=env, capture_output=True, text=True, timeout=300, check=False)
        assert result.returncode == 0, f"{command}:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
