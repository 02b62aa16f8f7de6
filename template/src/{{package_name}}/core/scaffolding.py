"""What `resource add` (scaffold/command.py) does whatever the web framework: a new resource's names and the rules
they follow, the sentences they make ("an order", "a booking"), and its files written from `string.Template`s, with
the prose a long name lengthens wrapped to the line length, then formatted by the project's own tools."""

from __future__ import annotations

import keyword
import re
import string
import subprocess
import textwrap
from collections.abc import Collection
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


def render(text: str, names: dict[str, str]) -> str:
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


def write(root: Path, files: dict[str, str], names: dict[str, str]) -> list[Path]:
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
