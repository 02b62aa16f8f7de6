"""The README's and docs/options.md's question tables list every question of copier.yml, in its order, with its
default: a question missing there (as `auth` once was, the answer that decides whether the API is open) is a
question a new user never hears of."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def questions() -> dict[str, Any]:
    """copier.yml's questions (settings start with `_`; `when: false` entries are computed, never asked)."""
    config = yaml.safe_load((ROOT / "copier.yml").read_text())
    return {
        key: value
        for key, value in config.items()
        if not key.startswith("_") and not (isinstance(value, dict) and value.get("when") is False)
    }


def table(path: Path) -> dict[str, str]:
    """The first question table of a Markdown file: each key of its first column -> the row's second cell."""
    rows: dict[str, str] = {}
    for line in path.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("| `") or len(cells) < 2:
            if rows:
                break
            continue
        for key in re.findall(r"`([a-z_]+)`", cells[0]):
            rows[key] = cells[1]
    return rows


@pytest.mark.parametrize("document", ["README.md", "docs/options.md"])
def test_the_question_table_lists_every_question_in_order(document: str) -> None:
    assert list(table(ROOT / document)) == list(questions())


def test_the_readme_gives_each_question_its_default() -> None:
    rows = table(ROOT / "README.md")
    for key, question in questions().items():
        default = question.get("default")
        if isinstance(default, bool):
            default = str(default).lower()
        if isinstance(default, str) and "{{" not in default and "," not in rows[key]:
            assert rows[key] == f"`{default}`", key
