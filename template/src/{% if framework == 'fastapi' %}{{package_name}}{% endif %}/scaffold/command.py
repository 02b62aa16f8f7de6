"""`python -m <package> resource add <plural> [--singular <word>] [--shared] [--audit] [--grant ROLE[,ROLE]]`: the
FastAPI scaffold. The command is core/resource_command.py's; this declares what is FastAPI's own: the files of a
resource package (scaffold/templates/: a table with a `name`, strict models, a repository on api/crud.py, thin
routes, scopes `<plural>:read|write|admin`, its own write budget) and its tests, its router's registration (app.py
`RESOURCE_ROUTERS`) and its migration (`alembic revision --autogenerate`, against a throwaway SQLite database
migrated to head). Then edit the table and models for your fields, generate the migration again, and run
`make check`.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from typing import Final

from ..core.resource_command import Registration, Scaffold
from ..core.scaffolding import ResourceNames, run_tool
from ..migrate import next_revision

PACKAGE_NAME: Final = __name__.split(".", 1)[0]
PACKAGE_DIR: Final = Path(__file__).resolve().parents[1]
TEMPLATES: Final = files(__name__.rpartition(".")[0]) / "templates"  # package data beside this module


def generate_migration(project: Path, package_dir: Path, names: ResourceNames) -> list[Path]:
    """`alembic revision --autogenerate` against a throwaway SQLite database migrated to head: the revision holds
    what the registered tables add to the migrations, whatever state the development database is in."""
    versions = package_dir / "migrations" / "versions"
    revision = next_revision(versions)
    with tempfile.TemporaryDirectory(prefix="resource-add-") as scratch:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{Path(scratch) / 'schema.sqlite3'}"}
        run_tool([sys.executable, "-m", "alembic", "upgrade", "head"], project, env)
        message = f"create {names.plural}"
        run_tool(
            [sys.executable, "-m", "alembic", "revision", "--autogenerate", "--rev-id", revision, "-m", message],
            project,
            env,
        )
    return sorted(versions.glob(f"{revision}_*.py"))


def service_words(package_dir: Path) -> dict[str, str]:
    """The write budget (limits.py) this service can keep, and how the shared resource's event test reaches a real
    redis-server when events travel through Redis between replicas."""
    rate_limited = (package_dir / "integrations" / "rate_limiting").exists()
    redis = (package_dir / "integrations" / "redis_client.py").exists()
    return {
        "limits": SCAFFOLD.part("rate_limited" if rate_limited else "not_rate_limited"),
        "redis_imports": SCAFFOLD.part("redis_imports") if redis else "",
        "redis_events": SCAFFOLD.part("redis_events") if redis else "",
    }


OWNED_ADMIN: Final = (
    "Widens what `$plural:read` and `$plural:write` act on to every owner's $plural (alone it grants nothing)."
)
OWNER_FIELD: Final = """
    owner_id: str | None = Field(description="The subject of the caller that created the $singular")"""
SHARED_TEST_IMPORTS: Final = """
from concurrent.futures import ThreadPoolExecutor

from starlette.testclient import WebSocketTestSession

from ..fixtures import Caller, CreateUser
$redis_imports"""

SCAFFOLD: Final = Scaffold(
    package=PACKAGE_NAME,
    templates=TEMPLATES,
    unit="package",
    reserved=frozenset({"api", "core", "integrations", "middleware", "migrations", "scaffold", "tests", "metadata"}),
    # Names the resource's modules import: a model class of that name would shadow them.
    reserved_models=frozenset(
        {"Annotated", "Any", "Awaitable", "BaseModel", "Body", "ConfigDict", "Depends", "Field", "Final", "Header"}
        | {"Name", "Patch", "Query", "Repository", "Request", "Response", "StringConstraints", "Uuid", "Collection"}
    ),
    callers="caller.py",
    registrations=(
        Registration(
            "app.py",
            "RESOURCE_ROUTERS: Final[tuple[APIRouter, ...]] = (",
            "    $plural.router,\n",
            import_line="from .$plural import routes as $plural\n",
        ),
    ),
    binds_plurals="app.py",
    migrate=generate_migration,
    migrations="migrations/versions",
    service_words=service_words,
    phrases={
        "owned": {
            "owned_sentence": "\nEach $singular belongs to the caller that created it.",
            "owned_routes": (
                ", the 404s and the ownership (another caller's $singular is a 404; `$plural:admin` reaches everyone's)"
            ),
            "owner_column": """
    # The subject of the caller that created the row (api/crud.py shows each caller its own); NULL for a row created
    # outside a request (`EVERY_OWNER`), seen by the holders of $plural:admin only.
    Column("owner_id", String(255), nullable=True, index=True),""",
            "owner_field": OWNER_FIELD,
            "admin_doc": OWNED_ADMIN,
            "shared_import": "",
            "shared_declaration": "",
            "owned_words": ", scopes, ownership across two users and the admin scope",
            "callers_import": "\nfrom ..fixtures import Caller, CreateUser\n",
        },
        "shared": {
            "owned_sentence": "\nEvery caller with `$plural:read` reads every $singular; only `$plural:admin` writes "
            "them (a shared resource).",
            "owned_routes": ", the 404s and the sharing (every reader reads every $singular; a write without "
            "`$plural:admin` is a 403)",
            "owner_column": """
    # The subject of the caller that created the row: $plural are shared (repository.py), so it decides nothing.
    Column("owner_id", String(255), nullable=True, index=True),""",
            "owner_field": OWNER_FIELD,
            "admin_doc": "With `$plural:write`, creates, changes and deletes $plural (shared: every holder of "
            "`$plural:read` reads them all).",
            "shared_import": ", ${PLURAL}_READ",
            "shared_declaration": "\n    shared = ${PLURAL}_READ  # every reader reads every $singular",
            "owned_words": ", scopes, every reader reading, the admin scope writing and the events of every reader",
            "callers_import": SHARED_TEST_IMPORTS,
        },
        "unowned": {
            "owned_sentence": "",
            "owned_routes": " and the 404s",
            "owner_column": "",
            "owner_field": "",
            "admin_doc": OWNED_ADMIN,
            "shared_import": "",
            "shared_declaration": "",
            "owned_words": "",
            "callers_import": "",
        },
    },
    next_steps="Next: your fields in $plural/table.py and models.py, then a migration for them "
    "(`alembic revision --autogenerate`), `make check`.",
)


def resource_command(
    arguments: Sequence[str],
    *,
    program: str = PACKAGE_NAME,
    project: Path | None = None,
    package_dir: Path | None = None,
) -> int:
    return SCAFFOLD.command(arguments, program=program, project=project, package_dir=package_dir)
