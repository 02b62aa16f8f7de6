"""`python -m <package> resource add <plural> [--singular <word>] [--shared] [--audit] [--grant ROLE[,ROLE]]`, whatever
the web framework: the names it accepts, the files it writes and the lines that register them, the migration, the
formatting and the report, and taking it all back when a step fails.

Each framework declares only what is its own in a `Scaffold` (its scaffold/command.py): the `.py.tmpl` files it writes
(scaffold/templates/: `resource/` the resource's package, `tests/` its tests, `parts/` pieces the answers choose),
where a resource is registered, how its migration is made and the phrases its files say of ownership. The names and
their sentences, writing and wrapping, and `--grant` are core/scaffolding.py's.
"""

from __future__ import annotations

import argparse
import ast
import shutil
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final, Literal

from . import scaffolding
from .scaffolding import Refused, ResourceNames, checked_names, render, run_tool, write

EXIT_USAGE: Final = 2
TEMPLATE_SUFFIX: Final = ".tmpl"  # scaffold/templates/ holds code to write, not code to import or lint

Kind = Literal["owned", "shared", "unowned"]

# What the generated tests say of their caller: the owner (`user`), a shared resource's writer (`admin`) or nobody
# in a service that tells no callers apart. Every scaffold's tests name them alike.
CALLER_WORDS: Final[Mapping[Kind, Mapping[str, str]]] = {
    "owned": {
        "user_parameter": ", user: Caller",
        "user_headers": ", headers=user.headers()",
        "user_headers_dict": "**user.headers(), ",
    },
    "shared": {
        "user_parameter": ", admin: Caller",
        "user_headers": ", headers=admin.headers()",
        "user_headers_dict": "**admin.headers(), ",
    },
    "unowned": {"user_parameter": "", "user_headers": "", "user_headers_dict": ""},
}


@dataclass(frozen=True)
class Registration:
    """One entry a new resource adds at the end of a list or tuple literal of the service's (`opening` is the text
    that opens it, its bracket last: `INSTALLED_APPS = [`) and, for an entry naming a module, that module's import
    after the file's last import of the package's own modules (`ruff check --fix` then puts it in order). Both are
    `string.Template`s of the resource's words, with their indent and newline."""

    file: str  # relative to the package
    opening: str
    entry: str
    import_line: str = ""


CLOSING: Final = {"[": "\n]", "(": "\n)"}


def register(package_dir: Path, registration: Registration, words: Mapping[str, str]) -> None:
    path = package_dir / registration.file
    text = path.read_text()
    start = text.index(registration.opening)
    closing = text.index(CLOSING[registration.opening[-1]], start) + 1
    text = text[:closing] + render(registration.entry, words) + text[closing:]
    if registration.import_line:
        after = after_last_relative_import(text[:start])
        text = text[:after] + render(registration.import_line, words) + text[after:]
    path.write_text(text)


def after_last_relative_import(code: str) -> int:
    """The offset just after the last top-level `from .x import ...` of `code` (a parenthesized one included)."""
    ends = [
        node.end_lineno or node.lineno
        for node in ast.parse(code).body
        if isinstance(node, ast.ImportFrom) and node.level > 0
    ]
    if not ends:
        raise Refused("no import of the package's own modules to add the resource's beside")
    return sum(len(line) for line in code.splitlines(keepends=True)[: max(ends)])


def names_bound(module: Path) -> set[str]:
    """The names `module` binds at its top level: a module that imports each resource under its plural (FastAPI's
    app.py) cannot take a plural it binds already."""
    bound = set()
    for node in ast.parse(module.read_text()).body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            bound |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        else:
            bound |= {target.id for target in ast.walk(node) if isinstance(target, ast.Name)}
    return bound


def templates(folder: Traversable, prefix: str = "") -> dict[str, str]:
    """Each file under `folder` (recursively): its path without `.tmpl`, itself a `string.Template`
    (`test_$plural.py`), and its text."""
    found: dict[str, str] = {}
    for entry in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if entry.is_dir():
            found |= templates(entry, f"{prefix}{entry.name}/")
        elif entry.name.endswith(TEMPLATE_SUFFIX):
            found[prefix + entry.name.removesuffix(TEMPLATE_SUFFIX)] = entry.read_text()
    return found


Migrate = Callable[[Path, Path, ResourceNames], list[Path]]
"""Makes the new resource's migration (project, package directory, names) and returns the files it wrote."""


@dataclass(frozen=True)
class Scaffold:
    """What `resource add` needs to know of one framework; the command itself is the same in both."""

    package: str  # the service's package, `my_service`
    templates: Traversable  # scaffold/templates/
    unit: str  # what holds a resource: a "package" (FastAPI) or an "app" (Django)
    reserved: frozenset[str]  # the package's own modules: no plural may take their name
    callers: str  # the module that tells callers apart, relative to the package: without it every row is shared
    registrations: tuple[Registration, ...]
    migrate: Migrate
    phrases: Mapping[Kind, Mapping[str, str]]  # what its files say of ownership, `string.Template`s of the words
    next_steps: str  # the report's last line, a `string.Template` of the words
    reserved_models: frozenset[str] = frozenset()  # names its templates import: no model class may shadow them
    binds_plurals: str | None = None  # a module importing each resource under its plural (relative to the package)
    migrations: str | None = None  # where `migrate` writes outside the resource's package, relative to the package
    service_words: Callable[[Path], Mapping[str, str]] = field(default=lambda package_dir: {})
    """Words that depend on what the service holds (FastAPI: its rate limiting, Redis), `string.Template`s of the
    resource's words; parts (scaffold/templates/parts/) are read with `part`."""

    def part(self, name: str) -> str:
        return (self.templates / "parts" / f"{name}.py{TEMPLATE_SUFFIX}").read_text()

    def words(
        self, names: ResourceNames, package_dir: Path, *, owned: bool, shared: bool = False, audit: bool = False
    ) -> dict[str, str]:
        """Every `$word` the `.py.tmpl` files use, for this resource in this service."""
        kind: Kind = "shared" if shared else "owned" if owned else "unowned"
        words = names.words(self.package)
        words["audit_declaration"] = scaffolding.AUDIT_DECLARATION if audit else ""
        words |= {key: render(text, words) for key, text in self.service_words(package_dir).items()}
        words |= CALLER_WORDS[kind]
        words |= {key: render(text, words) for key, text in self.phrases[kind].items()}
        words["owned_tests"] = "" if kind == "unowned" else render(self.part(f"{kind}_tests"), words)
        return words

    def names_of(self, plural: str, singular: str | None, package_dir: Path) -> ResourceNames:
        """The new resource's names, or `Refused` saying why they cannot be (taken, reserved, shadowing)."""
        names = ResourceNames(*checked_names(plural, singular, self.reserved))
        if names.model in self.reserved_models:
            raise Refused(
                f"{names.singular!r} cannot be a resource's singular: {names.model} is a name its code uses already"
            )
        for existing in (package_dir / plural, package_dir / f"{plural}.py", package_dir.parents[1] / "tests" / plural):
            if existing.exists():
                raise Refused(f"{existing} exists: the resource {plural!r} is there already")
        if self.binds_plurals and plural in names_bound(package_dir / self.binds_plurals):
            raise Refused(f"{plural!r} is a name {self.binds_plurals} uses already: choose another plural")
        return names

    def registered_files(self) -> list[str]:
        return list(dict.fromkeys(registration.file for registration in self.registrations))

    def add(
        self, project: Path, package_dir: Path, names: ResourceNames, *, shared: bool = False, audit: bool = False
    ) -> list[Path]:
        """The resource's package and tests written, registered, migrated and formatted; the files written. When a
        step fails, nothing half-added stays behind: the service starts as it did."""
        owned = (package_dir / self.callers).exists()
        if shared and not owned:
            raise Refused(
                "--shared needs callers to tell apart: this service has no authentication, every row is shared"
            )
        scaffolding.refuse_audit_without_trail(package_dir, audit=audit)
        words = self.words(names, package_dir, owned=owned, shared=shared, audit=audit)
        registered = [package_dir / name for name in self.registered_files()]
        before = {path: path.read_text() for path in registered if path.exists()}
        migrations = package_dir / self.migrations if self.migrations else None
        migrations_before = set(migrations.glob("*.py")) if migrations else set()
        try:
            written = write(package_dir / names.plural, templates(self.templates / "resource"), words)
            written += write(project / "tests" / names.plural, templates(self.templates / "tests"), words)
            for registration in self.registrations:
                register(package_dir, registration, words)
            written += self.migrate(project, package_dir, names)
            paths = [str(path) for path in [*written, *registered]]
            run_tool([sys.executable, "-m", "ruff", "format", "--quiet", *paths], project)
            run_tool([sys.executable, "-m", "ruff", "check", "--fix", "--quiet", *paths], project)
            run_tool([sys.executable, "-m", "ruff", "format", "--quiet", *paths], project)
        except BaseException:
            shutil.rmtree(package_dir / names.plural, ignore_errors=True)
            shutil.rmtree(project / "tests" / names.plural, ignore_errors=True)
            for migration in (set(migrations.glob("*.py")) if migrations else set()) - migrations_before:
                migration.unlink()
            for path, text in before.items():
                path.write_text(text)
            raise
        return written

    def parser(self, program: str) -> argparse.ArgumentParser:
        commands = argparse.ArgumentParser(prog=f"python -m {program} resource", description="Add a resource.")
        actions = commands.add_subparsers(dest="action", required=True)
        adding = actions.add_parser(
            "add", help=f"a new resource owned by its callers: {self.unit}, tests, registration, migration"
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

    def command(
        self, arguments: Sequence[str], *, program: str, project: Path | None = None, package_dir: Path | None = None
    ) -> int:
        """`resource add ...` from its command line; the exit status (1: refused, with one line saying why)."""
        try:
            options = self.parser(program).parse_args(list(arguments))
        except SystemExit as exited:
            return EXIT_USAGE if exited.code else 0
        root = project or Path.cwd()
        package = package_dir or root / "src" / self.package
        try:
            names = self.names_of(options.plural, options.singular, package)
            grants = scaffolding.planned_grants(package / "roles.py", options.grant, names.plural)  # before any write
            written = self.add(root, package, names, shared=options.shared, audit=options.audit)
            granted = scaffolding.grant(root, package / "roles.py", grants)
        except Refused as refused:
            print(f"resource: {refused}", file=sys.stderr)
            return 1
        print(report(names, written, granted, root, self.registered_files()))
        print(render(self.next_steps, names.words(self.package)))
        return 0


def report(
    names: ResourceNames, written: Collection[Path], granted: Collection[str], root: Path, registered: Sequence[str]
) -> str:
    lines = [f"/api/v1/{names.plural} added ({len(written)} files, registered in {' and '.join(registered)}):"]
    lines += [f"  {line}" for line in [*(str(path.relative_to(root)) for path in written), *granted]]
    return "\n".join(lines)
