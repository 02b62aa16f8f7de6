"""`python -m <package> resource add <plural> [--singular <word>] [--shared] [--audit] [--grant ROLE[,ROLE]]` (also
`manage.py resource add ...`): a new resource, owned by its callers (or, `--shared`, read by every caller with its
read scope and written by its admin scope only), in one command.

It writes the app `src/<package>/<plural>/` from this package's own scaffold (scaffold/files.py: a model with a
`name`, strict serializers, a `ResourceViewSet`, scopes `<plural>:read|write|admin`, its own write budget, routes)
and its tests `tests/<plural>/`, registers the app (settings.py `INSTALLED_APPS`) and its routes (urls.py), makes
its migration (`manage.py makemigrations <plural>`) and formats what it wrote (`ruff format`, `ruff check --fix`);
`--grant` then adds its scopes to roles in roles.py (core/scaffolding.py). Then edit the model and serializers for
your fields, `makemigrations` again, and run `make check`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..core import scaffolding
from ..core.scaffolding import Refused, ResourceNames, checked_names, render, run_tool, write
from .files import APP, OWNED_TESTS, SHARED_TESTS, TESTS

EXIT_USAGE = 2
PACKAGE = __name__.split(".", 1)[0]
PACKAGE_DIR = Path(__file__).resolve().parents[1]
RESERVED = frozenset({"api", "core", "integrations", "middleware", "management", "scaffold", "migrations", "tests"})


class Names(ResourceNames):
    """A resource's names, and what the Django scaffold's templates say with them."""

    def substitutions(self, *, owned: bool, shared: bool = False, audit: bool = False) -> dict[str, str]:
        names = self.words(PACKAGE)
        names["audit_declaration"] = scaffolding.AUDIT_DECLARATION if audit else ""
        names |= {
            "owned_sentence": render("$a_singular is owned by the caller that created it", names),
            "admin_doc": render("the scope that reaches every owner's $plural", names),
            "shared_declaration": "",
        }
        if shared:
            names |= {
                "owned_sentence": render(
                    "every caller with `$plural:read` reads every $singular, only `$plural:admin` writes them", names
                ),
                "admin_doc": render("the scope of their writers (they are shared: every reader reads them all)", names),
                "shared_declaration": render("\n    shared = True  # every reader reads every $singular", names),
                "owned_words": ", every reader reading, the admin scope writing and the events of every reader",
                "conftest_import": (
                    "\nfrom $package.api.events import publisher\n"
                    "from $package.core.events import EventHub\n\n"
                    "from ..fixtures import Caller, CreateUser\n"
                ),
                "user_parameter": ", admin: Caller",
                "user_headers": ", headers=admin.headers()",
                "user_headers_only": ", headers=admin.headers()",
                "user_headers_dict": "**admin.headers(), ",
            }
            names["conftest_import"] = render(names["conftest_import"], names)
            names["owned_tests"] = render(SHARED_TESTS, names)
        elif owned:
            names |= {
                "owned_words": ", ownership across two users and the admin scope",
                "conftest_import": "\nfrom ..fixtures import Caller, CreateUser\n",
                "user_parameter": ", user: Caller",
                "user_headers": ", headers=user.headers()",
                "user_headers_only": ", headers=user.headers()",
                "user_headers_dict": "**user.headers(), ",
            }
            names["owned_tests"] = render(OWNED_TESTS, names)
        else:
            unowned = ("owned_words", "conftest_import", "user_parameter", "user_headers", "user_headers_only")
            names |= dict.fromkeys((*unowned, "user_headers_dict", "owned_tests"), "")
        return names


def names_of(plural: str, singular: str | None, package_dir: Path) -> Names:
    names = Names(*checked_names(plural, singular, RESERVED))
    if (package_dir / plural).exists():
        raise Refused(f"{package_dir / plural} exists: the resource {plural!r} is there already")
    return names


def register(package_dir: Path, names: Names) -> None:
    """The app in INSTALLED_APPS, its routes under /api/v1/: one line each, at the end of each list."""
    # The lines are f-strings of settings.py and urls.py themselves: their braces are written, not filled here.
    app = '    f"' + "{PACKAGE}." + names.plural + '",\n'
    route = '    path(f"' + "{API_V1}" + '/", include("' + PACKAGE + "." + names.plural + '.urls")),\n'
    insert_before_closing(package_dir / "settings.py", "INSTALLED_APPS = [", app)
    insert_before_closing(package_dir / "urls.py", "urlpatterns: list[URLPattern | URLResolver] = [", route)


def insert_before_closing(path: Path, opening: str, line: str) -> None:
    text = path.read_text()
    start = text.index(opening)
    closing = text.index("\n]", start) + 1
    path.write_text(text[:closing] + line + text[closing:])


def add(project: Path, package_dir: Path, names: Names, *, shared: bool = False, audit: bool = False) -> list[Path]:
    owned = (package_dir / "api" / "caller.py").exists()  # the service tells its callers apart
    if shared and not owned:
        raise Refused("--shared needs callers to tell apart: this service has no authentication, every row is shared")
    scaffolding.refuse_audit_without_trail(package_dir, audit=audit)
    substitutions = names.substitutions(owned=owned, shared=shared, audit=audit)
    written = write(package_dir / names.plural, APP, substitutions)
    written += write(project / "tests" / names.plural, TESTS, substitutions)
    register(package_dir, names)
    run_tool([sys.executable, "manage.py", "makemigrations", names.plural], project)
    written += sorted((package_dir / names.plural / "migrations").glob("0*.py"))
    paths = [str(path) for path in written] + [str(package_dir / "settings.py"), str(package_dir / "urls.py")]
    run_tool([sys.executable, "-m", "ruff", "format", "--quiet", *paths], project)
    run_tool([sys.executable, "-m", "ruff", "check", "--fix", "--quiet", *paths], project)
    return written


def parser(program: str) -> argparse.ArgumentParser:
    commands = argparse.ArgumentParser(prog=f"python -m {program} resource", description="Add a resource.")
    actions = commands.add_subparsers(dest="action", required=True)
    adding = actions.add_parser("add", help="a new resource owned by its callers: app, tests, registration, migration")
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
    arguments: Sequence[str], *, program: str = PACKAGE, project: Path | None = None, package_dir: Path | None = None
) -> int:
    try:
        options = parser(program).parse_args(list(arguments))
    except SystemExit as exited:
        return EXIT_USAGE if exited.code else 0
    root = project or Path.cwd()
    package = package_dir or root / "src" / PACKAGE
    try:
        names = names_of(options.plural, options.singular, package)
        grants = scaffolding.planned_grants(package / "roles.py", options.grant, names.plural)  # before any write
        written = add(root, package, names, shared=options.shared, audit=options.audit)
        granted = scaffolding.grant(root, package / "roles.py", grants)
    except Refused as refused:
        print(f"resource: {refused}", file=sys.stderr)
        return 1
    print(f"/api/v1/{names.plural} added ({len(written)} files, registered in settings.py and urls.py):")
    for line in [*(str(path.relative_to(root)) for path in written), *granted]:
        print(f"  {line}")
    print(f"Next: your fields in {names.plural}/models.py and serializers.py, then `makemigrations`, `make check`.")
    return 0
