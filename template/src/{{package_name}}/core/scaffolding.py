"""What `resource add` (scaffold/command.py) does whatever the web framework: a new resource's names and the rules
they follow, the sentences they make ("an order", "a booking"), and its files written from `string.Template`s, with
the prose a long name lengthens wrapped to the line length, then formatted by the project's own tools."""

from __future__ import annotations

import argparse
import ast
import keyword
import re
import string
import subprocess
import sys
import textwrap
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

NAME: Final = re.compile(r"[a-z][a-z0-9_]{0,29}")  # 30 characters at most: sentences naming it fit in a line
LINE_LENGTH: Final = 120  # pyproject.toml's [tool.ruff]
NAME_RULE: Final = "use lowercase letters, digits and _ (30 at most), not a keyword"


class Refused(Exception):  # noqa: N818 - a refusal the user reads, not a failure of the command
    """Why the names given cannot be a new resource (one line)."""


@dataclass(frozen=True)
class ResourceNames:
    """A resource's plural (`line_items`, its path and package) and singular (`line_item`, one of them)."""

    plural: str
    singular: str

    @property
    def model(self) -> str:
        return "".join(part.capitalize() for part in self.singular.split("_"))

    def article(self) -> str:
        return "an" if self.singular[0] in "aeiou" else "a"

    def words(self, package: str) -> dict[str, str]:
        """What the scaffold's templates name: `$plural`, `$Model`, `$a_singular`..."""
        spoken = self.singular.replace("_", " ")
        return {
            "package": package,
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


def singular_of(plural: str) -> str | None:
    """The usual English singular of `plural`, or None when there is no safe guess (then --singular says it)."""
    for ending, replacement in (("ies", "y"), ("sses", "ss"), ("ches", "ch"), ("shes", "sh"), ("xes", "x")):
        if plural.endswith(ending):
            return plural.removesuffix(ending) + replacement
    if plural.endswith("s") and not plural.endswith("ss"):
        return plural.removesuffix("s")
    return None


def checked_names(plural: str, singular: str | None, reserved: Collection[str]) -> tuple[str, str]:
    """The plural and singular (guessed when not given) of a new resource, or `Refused` saying why they cannot be."""
    for word, what in ((plural, "plural"), (singular, "singular")):
        if word is None:
            continue
        if not NAME.fullmatch(word) or keyword.iskeyword(word) or word in reserved:
            raise Refused(f"{word!r} cannot be a resource's {what}: {NAME_RULE}")
    found = singular or singular_of(plural)
    if found is None:
        raise Refused(f"no singular of {plural!r} to guess: name it with --singular")
    if found == plural:
        raise Refused(f"the singular and the plural are both {plural!r}: name another with --singular")
    return plural, found


def render(text: str, names: Mapping[str, str]) -> str:
    return string.Template(text).substitute(names)


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


def write(root: Path, files: Mapping[str, str], names: Mapping[str, str]) -> list[Path]:
    """Each of `files` (its path: its text, both `string.Template`s) under `root`, filled with `names`."""
    written = []
    for name, content in files.items():
        target = root / render(name, names)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(fit(render(content, names)))
        written.append(target)
    return written


def run_tool(arguments: list[str], project: Path, env: dict[str, str] | None = None) -> None:
    """Run one of the project's tools (`python -m ruff ...`); its output, when it fails, is the refusal."""
    completed = subprocess.run(  # noqa: S603 - this interpreter's own tools
        arguments, cwd=project, env=env, check=False, capture_output=True, text=True
    )
    if completed.returncode != 0:
        raise Refused(f"{' '.join(arguments[2:])} failed:\n{completed.stdout}{completed.stderr}".rstrip())


ROLES_TABLE: Final = "ROLES"  # the table of roles.py, the service's roles beside config.py
LEVELS: Final = ("read", "write", "admin")


def granted_scopes(plural: str, held: Collection[str]) -> list[str]:
    """The new resource's scopes a role gets by `--grant`: `<plural>:read` always, `:write` and `:admin` when the role
    holds a scope of that level already (staff's `items:admin` brings `<plural>:admin`; a sign-up role holds none), so
    a role keeps its standing; none for a role holding `*`, which holds them already."""
    if "*" in held:
        return []
    levels = [level for level in LEVELS if level == "read" or any(scope.endswith(f":{level}") for scope in held)]
    return [f"{plural}:{level}" for level in levels if f"{plural}:{level}" not in held]


def _roles_table(text: str, where: str) -> dict[str, ast.expr]:
    """Each role of roles.py's `ROLES` dict literal: its name and the expression of its scopes."""
    target: ast.expr
    value: ast.expr | None
    for node in ast.parse(text).body:
        if isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id == ROLES_TABLE and isinstance(value, ast.Dict):
            return {
                key.value: scopes
                for key, scopes in zip(value.keys, value.values, strict=True)
                if isinstance(key, ast.Constant) and isinstance(key.value, str)
            }
    raise Refused(f"{where} has no `{ROLES_TABLE} = {{...}}` table of roles to grant in")


def planned_grants(path: Path, given: Collection[str], plural: str) -> dict[str, list[str]]:
    """The scopes each role named in `given` (`--grant` values: `staff`, `staff,customer`) gets in roles.py (`path`),
    or `Refused` naming the roles it lacks; writes nothing, so that a refused grant leaves the service as it was."""
    requested = [role.strip() for roles in given for role in roles.split(",") if role.strip()]
    if not requested:
        return {}
    if not path.exists():
        raise Refused(f"--grant: {path.name} does not exist: this service has no roles (it signs in no users itself)")
    table = _roles_table(path.read_text(), path.name)
    unknown = [name for name in requested if name not in table]
    if unknown:
        roles = ", ".join(sorted(table))
        raise Refused(f"--grant: unknown role(s) {', '.join(unknown)}: the roles in {path.name} are {roles}")
    plan: dict[str, list[str]] = {}
    for name in dict.fromkeys(requested):
        value = table[name]
        if not (isinstance(value, ast.Set) or (isinstance(value, ast.Call) and ast.unparse(value) == "set()")):
            raise Refused(f"--grant: the role {name}'s scopes in {path.name} are no set literal: grant them by hand")
        held = {
            item.value for item in ast.walk(value) if isinstance(item, ast.Constant) and isinstance(item.value, str)
        }
        plan[name] = granted_scopes(plural, held)
    return plan


def write_grants(path: Path, plan: dict[str, list[str]]) -> None:
    """Each role's new scopes added at the end of its set in roles.py; nothing else of the file changes (the command
    formats it after)."""
    text = path.read_text()
    table = _roles_table(text, path.name)
    starts = [0]  # each line's offset in bytes, as `ast` counts columns
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line.encode()))
    data = text.encode()
    edits: list[tuple[int, int, bytes]] = []
    for name, scopes in plan.items():
        if not scopes:
            continue
        value = table[name]
        start = starts[value.lineno - 1] + value.col_offset
        end = starts[(value.end_lineno or value.lineno) - 1] + (value.end_col_offset or value.col_offset)
        quoted = [f'"{scope}"' for scope in scopes]
        if isinstance(value, ast.Set):
            inside = data[start : end - 1].decode()  # without its closing brace
            items = inside.rstrip()
            closing = inside[len(items) :] + "}"
            if items.endswith(",") and "\n" in closing:  # one scope a line: so are the new ones
                last = items.rsplit("\n", 1)[-1]
                indent = last[: len(last) - len(last.lstrip())]
                replacement = items + "".join(f"\n{indent}{scope}," for scope in quoted) + closing
            else:
                replacement = f"{items}{'' if items.endswith(',') else ','} {', '.join(quoted)}{closing}"
        else:  # set()
            replacement = f"{{{', '.join(quoted)}}}"
        edits.append((start, end, replacement.encode()))
    for start, end, edited in sorted(edits, reverse=True):  # from the end: the earlier offsets stay true
        data = data[:start] + edited + data[end:]
    path.write_bytes(data)


def grant_option(command: argparse.ArgumentParser) -> None:
    """`resource add`'s `--grant ROLE[,ROLE]` (repeatable)."""
    command.add_argument(
        "--grant",
        action="append",
        default=[],
        metavar="ROLE[,ROLE]",
        help="give these roles (roles.py) its scopes: <plural>:read, and :write, :admin to a role holding one already",
    )


def audit_option(command: argparse.ArgumentParser) -> None:
    """`resource add`'s `--audit`: the resource's changes go to the audit trail (core/record_changes.py)."""
    command.add_argument(
        "--audit",
        action="store_true",
        help="record every create, update, delete and restore (who, which record, which fields) in the audit trail",
    )


AUDIT_DECLARATION: Final = "\n    audited = True  # every create, update, delete and restore is in the audit trail"


def refuse_audit_without_trail(package_dir: Path, *, audit: bool) -> None:
    """`--audit` in a service that keeps no audit trail is refused, before anything is written."""
    if audit and not (package_dir / "audit").is_dir():
        raise Refused("--audit needs the audit trail, which only a service with accounts of its own keeps")


def grant(project: Path, path: Path, plan: dict[str, list[str]]) -> list[str]:
    """`plan` (planned_grants) written into roles.py and formatted by the project's own ruff; what each role got, one
    line each. The resource is added first: a failed add leaves the roles as they were."""
    if not plan:
        return []
    write_grants(path, plan)
    run_tool([sys.executable, "-m", "ruff", "format", "--quiet", str(path)], project)
    nothing = "nothing new (it holds them already)"
    return [f"{path.name}: {role} gets {', '.join(scopes) or nothing}" for role, scopes in plan.items()]
