"""The rendered README reads as prose in every docs-UI variant: no Jinja left over, no Python value printed into a
sentence, no question's name where its answer belongs (a slip in `template/README.md.jinja` once printed "The same
document in redoc_page and docs_ui in ['scalar', 'swagger']eDoc"). Only README.md is rendered (no tasks), so each
variant costs about a second.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import copier
import pytest

from .variants import DEFAULT_ANSWERS, QUESTION_VALUES, with_defaults

# Each docs_ui value, and redoc_page beside the two UIs it is asked with; for each framework (their READMEs differ).
DOCS_VARIANTS = [
    {"docs_ui": docs_ui, "redoc_page": redoc_page}
    for docs_ui in QUESTION_VALUES["docs_ui"]
    for redoc_page in ([False, True] if docs_ui in ("scalar", "swagger") else [False])
]

INLINE_CODE = re.compile(r"`[^`]*`")
# A question's name (those that are no English word: `docs_ui`, `use_redis`...) is the template's word: in prose it is
# an answer glued in by mistake. `docs_ui/` and `redoc_page/` are the rendered service's directories: a path.
QUESTION_NAME = re.compile(r"\b(" + "|".join(name for name in DEFAULT_ANSWERS if "_" in name) + r")\b(?!/)")
NOT_PROSE = [
    ("Jinja left over", re.compile(r"\{\{|\{%|%\}|\}\}|\{#|#\}")),
    ("a Python list or its test", re.compile(r"\['|'\]|\bin \[")),
    ("a Python value", re.compile(r"\b(True|False|None)\b")),
    ("a question's name", QUESTION_NAME),
]


def prose_lines(readme: str) -> list[tuple[int, str]]:
    """The README's lines outside fenced code blocks, each with its inline code removed (code may say anything)."""
    lines: list[tuple[int, str]] = []
    fenced = False
    for number, line in enumerate(readme.splitlines(), start=1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            lines.append((number, INLINE_CODE.sub("", line)))
    return lines


def no_sentence(readme: str) -> list[str]:
    """What in `readme` is no sentence: Jinja anywhere (code blocks too), Python reprs and question names in prose."""
    found = [
        f"{number}: Jinja left over: {line.strip()}"
        for number, line in enumerate(readme.splitlines(), start=1)
        if re.search(r"\{%|%\}|\{#|#\}", line)
    ]
    for number, line in prose_lines(readme):
        found += [f"{number}: {what}: {line.strip()}" for what, pattern in NOT_PROSE if pattern.search(line)]
    return found


def render_without_tasks(
    template: Path, destination: Path, exclude: list[str] | None = None, **answers: object
) -> Path:
    """Render `template` with `answers` over the defaults, quietly and without its tasks (no `uv lock`)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # copier's warnings about the test's template repository
        copier.run_copy(
            str(template),
            destination,
            data=with_defaults(answers),
            defaults=True,
            unsafe=True,
            quiet=True,
            skip_tasks=True,
            exclude=exclude or [],
        )
    return destination


def render_readme(template: Path, destination: Path, **answers: object) -> str:
    return (render_without_tasks(template, destination, ["*", "!README.md"], **answers) / "README.md").read_text()


@pytest.mark.parametrize("framework", QUESTION_VALUES["framework"])
@pytest.mark.parametrize(
    "docs", DOCS_VARIANTS, ids=lambda docs: f"{docs['docs_ui']}{'+redoc_page' if docs['redoc_page'] else ''}"
)
def test_the_readme_is_prose_in_every_docs_ui_variant(
    copier_template: Path, tmp_path: Path, framework: str, docs: dict[str, object]
) -> None:
    readme = render_readme(copier_template, tmp_path / "project", framework=framework, **docs)
    assert "## Layout" in readme  # the whole README, not an excerpt
    assert no_sentence(readme) == []


@pytest.mark.parametrize(
    "line",
    [
        "| `GET /redoc` | The same document in redoc_page and docs_ui in ['scalar', 'swagger']eDoc (reading) |",
        "Interactive API docs ({{ docs_ui }}), served by the service itself",
        "{%- if redoc_page %}",
        "Served with True when asked.",
        "The page uses the docs_ui answer.",
    ],
)
def test_the_prose_check_finds_what_is_no_sentence(line: str) -> None:
    assert no_sentence(f"# README\n\n{line}\n") != []


@pytest.mark.parametrize(
    "line",
    [
        "  docs_ui/          the /docs page, its scripts and the vendored UI (served by api/docs.py)",
        "`/redoc` shows the same document with ReDoc (`src/my_service/redoc_page/`, served the same way)",
        'Set `USE_REDIS=true` or `{"a": [1]}` in code: code spans say anything.',
    ],
)
def test_the_prose_check_leaves_sentences_and_code(line: str) -> None:
    assert no_sentence(f"# README\n\n{line}\n") == []
