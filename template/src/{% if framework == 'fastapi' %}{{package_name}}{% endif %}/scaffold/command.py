"""`python -m <package> resource add <plural> [--singular <word>]`: a new resource, owned by its callers, in one
command.

It writes the package `src/<package>/<plural>/` from this package's own scaffold (scaffold/files.py: a table with a
`name`, strict models, a repository on api/crud.py, thin routes, scopes `<plural>:read|write|admin`, its own write
budget) and its tests `tests/<plural>/`, registers its router (app.py `RESOURCE_ROUTERS`), generates its migration
(`alembic revision --autogenerate`, against a throwaway SQLite database migrated to head) and formats what it wrote
(`ruff format`, `ruff check --fix`). When a step fails, what it wrote is taken back. Then edit the table and models
for your fields, generate the migration again, and run `make check`.
"""

from __future__ import annotations

import argparse
import ast
import keyword
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .files import (
    NOT_RATE_LIMITED,
    OWNED,
    OWNED_TESTS,
    PACKAGE,
    RATE_LIMITED,
    TESTS,
    UNOWNED,
    render,
)

EXIT_USAGE = 2
NAME = re.compile(r"[a-z][a-z0-9_]{0,29}")  # 30 characters at most: names fit in a line of text
PACKAGE_NAME = __name__.split(".", 1)[0]
PACKAGE_DIR = Path(__file__).resolve().parents[1]
RESERVED = frozenset({"api", "core", "integrations", "middleware", "migrations", "scaffold", "tests", "metadata"})
# Names the scaffold's own modules use: a model class of that name would shadow them.
RESERVED_MODELS = frozenset(
    {"Annotated", "Any", "Awaitable", "BaseModel", "Body", "ConfigDict", "Depends", "Field", "Final", "Header"}
    | {"Name", "Patch", "Query", "Repository", "Request", "Response", "StringConstraints", "Uuid", "Collection"}
)
REGISTRY = "RESOURCE_ROUTERS: Final[tuple[APIRouter, ...]] = ("
REVISION = re.compile(r"(\d{4})_")
LINE_LENGTH = 120  # pyproject.toml's [tool.ruff]


class Refused(Exception):  # noqa: N818 - a refusal the user reads, not a failure of the command
    """Why the names given cannot be a new resource (one line)."""


@dataclass(frozen=True)
class Names:
    plural: str
    singular: str

    @property
    def model(self) -> str:
        return "".join(part.capitalize() for part in self.singular.split("_"))

    def article(self) -> str:
        return "an" if self.singular[0] in "aeiou" else "a"

    def substitutions(self, *, owned: bool, rate_limited: bool = True) -> dict[str, str]:
        spoken = self.singular.replace("_", " ")
        names = {
            "package": PACKAGE_NAME,
            "plural": self.plural,
            "PLURAL": self.plural.upper(),
            "Plural": self.plural.replace("_", " ").capitalize(),
            "singular": self.singular,
            "SINGULAR": self.singular.upper(),
            "Singular": spoken.capitalize(),
            "Model": self.model,
            "a_singular": f"{self.article()} {spoken}",
            "A_singular": f"{self.article().capitalize()} {spoken}",
        }
        names["limits"] = render(RATE_LIMITED if rate_limited else NOT_RATE_LIMITED, names)
        names |= {key: render(text, names) for key, text in (OWNED if owned else UNOWNED).items()}
        if owned:
            names |= {
                "owned_words": ", scopes, ownership across two users and the admin scope",
                "callers_import": "\nfrom ..callers import ApiCaller, CreateUser\n",
                "user_parameter": ", user: ApiCaller",
                "user_headers": ", headers=user.headers()",
                "user_headers_dict": "**user.headers(), ",
            }
            names["owned_tests"] = render(OWNED_TESTS, names)
        else:
            names |= dict.fromkeys(("owned_words", "callers_import", "user_parameter", "user_headers"), "")
            names |= dict.fromkeys(("user_headers_dict", "owned_tests"), "")
        return names


def singular_of(plural: str) -> str | None:
    """The usual English singular of `plural`, or None when there is no safe guess (then --singular says it)."""
    for ending, replacement in (("ies", "y"), ("sses", "ss"), ("ches", "ch"), ("shes", "sh"), ("xes", "x")):
        if plural.endswith(ending):
            return plural.removesuffix(ending) + replacement
    if plural.endswith("s") and not plural.endswith("ss"):
        return plural.removesuffix("s")
    return None


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
    for word, what in ((plural, "plural"), (singular, "singular")):
        if word is None:
            continue
        if not NAME.fullmatch(word) or keyword.iskeyword(word) or word in RESERVED:
            rule = "use lowercase letters, digits and _ (30 at most), not a keyword"
            raise Refused(f"{word!r} cannot be a resource's {what}: {rule}")
    found = singular or singular_of(plural)
    if found is None:
        raise Refused(f"no singular of {plural!r} to guess: name it with --singular")
    if found == plural:
        raise Refused(f"the singular and the plural are both {plural!r}: name another with --singular")
    names = Names(plural, found)
    if names.model in RESERVED_MODELS:
        raise Refused(f"{found!r} cannot be a resource's singular: {names.model} is a name its code uses already")
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


def fit(code: str) -> str:
    """`code` with its docstrings' and comments' lines wrapped to the line length: a long resource name lengthens
    sentences that `ruff format` does not wrap."""
    lines: list[str] = []
    in_docstring = False
    for line in code.splitlines():
        stripped = line.lstrip()
        prose = in_docstring or stripped.startswith(('"""', "#"))
        if line.count('"""') % 2:
            in_docstring = not in_docstring
        if not prose or len(line) <= LINE_LENGTH:
            lines.append(line)
            continue
        indent = line[: len(line) - len(stripped)]
        following = indent + "# " if stripped.startswith("#") else indent
        lines += textwrap.wrap(
            line, LINE_LENGTH, subsequent_indent=following, break_long_words=False, break_on_hyphens=False
        )
    return "\n".join(lines) + "\n" if code else code


def write(root: Path, files: dict[str, str], names: dict[str, str]) -> list[Path]:
    written = []
    for name, content in files.items():
        target = root / render(name, names)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(fit(render(content, names)))
        written.append(target)
    return written


def run_tool(arguments: list[str], project: Path, env: dict[str, str] | None = None) -> None:
    completed = subprocess.run(  # noqa: S603 - this interpreter's own tools
        arguments, cwd=project, env=env, check=False, capture_output=True, text=True
    )
    if completed.returncode != 0:
        raise Refused(f"{' '.join(arguments[2:])} failed:\n{completed.stdout}{completed.stderr}".rstrip())


def next_revision(versions: Path) -> str:
    """The next free four-digit revision id: one more than the highest number a revision's name starts with."""
    numbers = [int(match.group(1)) for path in versions.glob("*.py") if (match := REVISION.match(path.name))]
    return f"{max(numbers, default=0) + 1:04d}"


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


def add(project: Path, package_dir: Path, names: Names) -> list[Path]:
    owned = (package_dir / "caller.py").exists()  # the service tells its callers apart
    rate_limited = (package_dir / "integrations" / "rate_limiting").exists()
    substitutions = names.substitutions(owned=owned, rate_limited=rate_limited)
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
        written = add(root, package, names)
    except Refused as refused:
        print(f"resource: {refused}", file=sys.stderr)
        return 1
    print(f"/api/v1/{names.plural} added ({len(written)} files, registered in app.py):")
    for path in written:
        print(f"  {path.relative_to(root)}")
    print(
        f"Next: your fields in {names.plural}/table.py and models.py, then its migration again "
        "(`alembic revision --autogenerate`), `make check`."
    )
    return 0
