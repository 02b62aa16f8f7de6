"""`python -m <package> resource add <plural> [--singular <word>] [--shared] [--audit] [--grant ROLE[,ROLE]]`: a
new resource, owned by its callers (or, `--shared`, read by every caller with its read scope and written by its admin
scope only; `--audit`, each change recorded in the audit trail), in one command.

It writes the package `src/<package>/<plural>/` from this package's own scaffold (scaffold/files.py: a table with a
`name`, strict models, a repository on api/crud.py, thin routes, scopes `<plural>:read|write|admin`, its own write
budget) and its tests `tests/<plural>/`, registers its router (app.py `RESOURCE_ROUTERS`), generates its migration
(`alembic revision --autogenerate`, against a throwaway SQLite database migrated to head) and formats what it wrote
(`ruff format`, `ruff check --fix`); `--grant` then adds its scopes to roles in roles.py (core/scaffolding.py). When
a step fails, what it wrote is taken back. Then edit the table and models for your fields, generate the migration
again, and run `make check`.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..core import scaffolding
from ..core.scaffolding import Refused, ResourceNames, checked_names, render, run_tool, write
from ..migrate import next_revision
from .files import (
    NOT_RATE_LIMITED,
    OWNED,
    OWNED_TESTS,
    PACKAGE,
    RATE_LIMITED,
    REDIS_EVENTS,
    REDIS_EVENTS_IMPORTS,
    SHARED,
    SHARED_TESTS,
    TESTS,
    UNOWNED,
)

EXIT_USAGE = 2
PACKAGE_NAME = __name__.split(".", 1)[0]
PACKAGE_DIR = Path(__file__).resolve().parents[1]
RESERVED = frozenset({"api", "core", "integrations", "middleware", "migrations", "scaffold", "tests", "metadata"})
# Names the scaffold's own modules use: a model class of that name would shadow them.
RESERVED_MODELS = frozenset(
    {"Annotated", "Any", "Awaitable", "BaseModel", "Body", "ConfigDict", "Depends", "Field", "Final", "Header"}
    | {"Name", "Patch", "Query", "Repository", "Request", "Response", "StringConstraints", "Uuid", "Collection"}
)
REGISTRY = "RESOURCE_ROUTERS: Final[tuple[APIRouter, ...]] = ("
OWNED_ADMIN = (
    "Widens what `$plural:read` and `$plural:write` act on to every owner's $plural (alone it grants nothing)."
)


def shared_words(names: dict[str, str]) -> dict[str, str]:
    """What a shared resource's files say beyond an owned one's: one declaration on its repository."""
    return {
        "shared_import": render(", ${PLURAL}_READ", names),
        "shared_declaration": render("\n    shared = ${PLURAL}_READ  # every reader reads every $singular", names),
        "admin_doc": render(
            "With `$plural:write`, creates, changes and deletes $plural (shared: every holder of `$plural:read` "
            "reads them all).",
            names,
        ),
    }


class Names(ResourceNames):
    """A resource's names, and what the FastAPI scaffold's templates say with them."""

    def substitutions(
        self, *, owned: bool, rate_limited: bool = True, shared: bool = False, redis: bool = False, audit: bool = False
    ) -> dict[str, str]:
        names = self.words(PACKAGE_NAME)
        names["audit_declaration"] = scaffolding.AUDIT_DECLARATION if audit else ""
        names["limits"] = render(RATE_LIMITED if rate_limited else NOT_RATE_LIMITED, names)
        kind = SHARED if shared else OWNED if owned else UNOWNED
        names |= {key: render(text, names) for key, text in kind.items()}
        names |= shared_words(names) if shared else {"shared_import": "", "shared_declaration": ""}
        names.setdefault("admin_doc", render(OWNED_ADMIN, names))
        if shared:
            names |= {
                "owned_words": ", scopes, every reader reading, the admin scope writing and the events of every reader",
                "callers_import": (
                    "\nfrom concurrent.futures import ThreadPoolExecutor\n\n"
                    "from starlette.testclient import WebSocketTestSession\n\n"
                    "from ..fixtures import Caller, CreateUser\n"
                )
                + (render(REDIS_EVENTS_IMPORTS, names) if redis else ""),
                "redis_events": REDIS_EVENTS if redis else "",
                "user_parameter": ", admin: Caller",
                "user_headers": ", headers=admin.headers()",
                "user_headers_dict": "**admin.headers(), ",
            }
            names["owned_tests"] = render(SHARED_TESTS, names)
        elif owned:
            names |= {
                "owned_words": ", scopes, ownership across two users and the admin scope",
                "callers_import": "\nfrom ..fixtures import Caller, CreateUser\n",
                "user_parameter": ", user: Caller",
                "user_headers": ", headers=user.headers()",
                "user_headers_dict": "**user.headers(), ",
            }
            names["owned_tests"] = render(OWNED_TESTS, names)
        else:
            names |= dict.fromkeys(("owned_words", "callers_import", "user_parameter", "user_headers"), "")
            names |= dict.fromkeys(("user_headers_dict", "owned_tests"), "")
        return names


def names_in_app(package_dir: Path) -> set[str]:
    """The names app.py binds at its top level: a resource's router is imported there under its plural."""
    tree = ast.parse((package_dir / "app.py").read_text())
    bound = set()
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            bound |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        else:
            bound |= {target.id for target in ast.walk(node) if isinstance(target, ast.Name)}
    return bound


def names_of(plural: str, singular: str | None, package_dir: Path) -> Names:
    names = Names(*checked_names(plural, singular, RESERVED))
    if names.model in RESERVED_MODELS:
        raise Refused(
            f"{names.singular!r} cannot be a resource's singular: {names.model} is a name its code uses already"
        )
    for existing in (package_dir / plural, package_dir / f"{plural}.py", package_dir.parents[1] / "tests" / plural):
        if existing.exists():
            raise Refused(f"{existing} exists: the resource {plural!r} is there already")
    if plural in names_in_app(package_dir):
        raise Refused(f"{plural!r} is a name app.py uses already: choose another plural")
    return names


def register(package_dir: Path, names: Names) -> None:
    """The router in app.py's `RESOURCE_ROUTERS`: its import, and one line at the end of the tuple."""
    path = package_dir / "app.py"
    text = path.read_text()
    start = text.index(REGISTRY)
    closing = text.index("\n)", start) + 1
    text = text[:closing] + f"    {names.plural}.router,\n" + text[closing:]
    # After the last import of the package's own modules; `ruff check --fix` puts it in order.
    last_import = max(match.end() for match in re.finditer(r"^from \.[\w.]* import .*\n", text[:start], re.M))
    line = f"from .{names.plural} import routes as {names.plural}\n"
    path.write_text(text[:last_import] + line + text[last_import:])


def generate_migration(project: Path, package_dir: Path, names: Names) -> Path:
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
    [migration] = versions.glob(f"{revision}_*.py")
    return migration


def add(project: Path, package_dir: Path, names: Names, *, shared: bool = False, audit: bool = False) -> list[Path]:
    owned = (package_dir / "caller.py").exists()  # the service tells its callers apart
    if shared and not owned:
        raise Refused("--shared needs callers to tell apart: this service has no authentication, every row is shared")
    rate_limited = (package_dir / "integrations" / "rate_limiting").exists()
    redis = (package_dir / "integrations" / "redis_client.py").exists()  # events travel through Redis
    scaffolding.refuse_audit_without_trail(package_dir, audit=audit)
    substitutions = names.substitutions(owned=owned, rate_limited=rate_limited, shared=shared, redis=redis, audit=audit)
    app = package_dir / "app.py"
    app_before = app.read_text()
    versions_before = set((package_dir / "migrations" / "versions").glob("*.py"))
    try:
        written = write(package_dir / names.plural, PACKAGE, substitutions)
        written += write(project / "tests" / names.plural, TESTS, substitutions)
        register(package_dir, names)
        written.append(generate_migration(project, package_dir, names))
        paths = [str(path) for path in written] + [str(app)]
        run_tool([sys.executable, "-m", "ruff", "format", "--quiet", *paths], project)
        run_tool([sys.executable, "-m", "ruff", "check", "--fix", "--quiet", *paths], project)
        run_tool([sys.executable, "-m", "ruff", "format", "--quiet", *paths], project)
    except BaseException:
        # Nothing half-added stays behind: the service starts as it did.
        shutil.rmtree(package_dir / names.plural, ignore_errors=True)
        shutil.rmtree(project / "tests" / names.plural, ignore_errors=True)
        for migration in set((package_dir / "migrations" / "versions").glob("*.py")) - versions_before:
            migration.unlink()
        app.write_text(app_before)
        raise
    return written


def parser(program: str) -> argparse.ArgumentParser:
    commands = argparse.ArgumentParser(prog=f"python -m {program} resource", description="Add a resource.")
    actions = commands.add_subparsers(dest="action", required=True)
    adding = actions.add_parser(
        "add", help="a new resource owned by its callers: package, tests, registration, migration"
    )
    adding.add_argument("plural", help="the collection's name, in lowercase: bookings (/api/v1/bookings)")
    adding.add_argument("--singular", help="one of them, when not the plural less its s: --singular person")
    adding.add_argument(
        "--shared",
        action="store_true",
        help="every caller with <plural>:read reads every record; only <plural>:admin writes (a catalogue)",
    )
    scaffolding.audit_option(adding)
    scaffolding.grant_option(adding)
    return commands


def resource_command(
    arguments: Sequence[str],
    *,
    program: str = PACKAGE_NAME,
    project: Path | None = None,
    package_dir: Path | None = None,
) -> int:
    try:
        options = parser(program).parse_args(list(arguments))
    except SystemExit as exited:
        return EXIT_USAGE if exited.code else 0
    root = project or Path.cwd()
    package = package_dir or root / "src" / PACKAGE_NAME
    try:
        names = names_of(options.plural, options.singular, package)
        grants = scaffolding.planned_grants(package / "roles.py", options.grant, names.plural)  # before any write
        written = add(root, package, names, shared=options.shared, audit=options.audit)
        granted = scaffolding.grant(root, package / "roles.py", grants)
    except Refused as refused:
        print(f"resource: {refused}", file=sys.stderr)
        return 1
    print(f"/api/v1/{names.plural} added ({len(written)} files, registered in app.py):")
    for line in [*(str(path.relative_to(root)) for path in written), *granted]:
        print(f"  {line}")
    print(
        f"Next: your fields in {names.plural}/table.py and models.py, then a migration for them "
        "(`alembic revision --autogenerate`), `make check`."
    )
    return 0
