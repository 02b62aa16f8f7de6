"""The template stays readable as Python (issue 50; `docs/contributing.md`, "Rules"): optional features are
conditional files, not `{% if %}` blocks through Python, a file keeps `.jinja` only for real Jinja, and what both
frameworks do is written once. Each figure below is a ceiling at today's value: lower it when a change lowers the
figure. Raise one only for new behaviour that cannot be written once or as a file of its own, and say why in the
commit. `docs/contributing.md` ("What is written twice, and why") maps what each framework keeps.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import ProjectFactory

TEMPLATE = Path(__file__).resolve().parents[1] / "template"

MAX_TAGS_IN_PYTHON = 146
"""`{%` tags in the package sources (`template/**/src/**/*.py.jinja`); issue 50's bound is 150. An optional resource
adds none: its package is found by core/optional_resources.py (the files resource)."""

MAX_NAME_ONLY_FILES = 74
"""`.jinja` files whose only Jinja is `{{ package_name }}` (issue 50 asked for 10). The package's modules import
relatively; most of these are tests, which import the service by its name, as a team reads them
(`from my_service.items import ...`): a test outside the package has no relative import of it. (72: `resource add`'s
shared rules are tested once, in tests/test_core_resource_command.py, beside each framework's own.)"""

MAX_NAME_ONLY_FILES_OUTSIDE_TESTS = 10
"""Of those, the ones outside the tests: Alembic revisions that import the service's code (Alembic loads a revision by
its path, outside the package, so it cannot import relatively), `alembic.ini` and Django's `manage.py`."""

MAX_FRAMEWORK_SPECIFIC_LINES = {"fastapi": 10094, "django": 9809}
"""Lines of `src/**/*.py` and `src/**/*.py.tmpl` (the templates of what `resource add` writes) in a default render
that the other framework's default render does not hold byte for byte (issue 50 asked for 6,000 per render; what
stays is each framework's routing, data layer, migrations and wiring, by area in `docs/contributing.md`)."""


def tags_in_python(template: Path) -> dict[str, int]:
    counts = {}
    for path in template.rglob("*.py.jinja"):
        if "src" in path.relative_to(template).parts and (count := path.read_text().count("{%")):
            counts[str(path.relative_to(template))] = count
    return counts


def name_only_files(template: Path) -> list[str]:
    found = []
    for path in template.rglob("*.jinja"):
        text = path.read_text()
        if "{%" in text or "{#" in text:
            continue
        if {expression.strip() for expression in re.findall(r"{{(.*?)}}", text)} <= {"package_name"}:
            found.append(str(path.relative_to(template)))
    return sorted(found)


def python_sources(root: Path) -> dict[str, str]:
    """The package's Python: its modules and the templates of the modules `resource add` writes (`*.py.tmpl`), code a
    team maintains as much as the rest, whatever its file name."""
    return {
        str(path.relative_to(root)): path.read_text()
        for pattern in ("*.py", "*.py.tmpl")
        for path in (root / "src").rglob(pattern)
    }


def framework_specific_lines(own: dict[str, str], other: dict[str, str]) -> int:
    return sum(len(text.splitlines()) for name, text in own.items() if other.get(name) != text)


def test_measures_see_what_they_count(tmp_path: Path) -> None:
    source = tmp_path / "src" / "{{package_name}}"
    source.mkdir(parents=True)
    (source / "a.py.jinja").write_text("{% if x %}import x{% endif %}\n")
    (source / "b.py.jinja").write_text("from {{ package_name }} import a\n")
    (source / "c.py.jinja").write_text("NAME = '{{ project_name }}'\n")
    assert tags_in_python(tmp_path) == {"src/{{package_name}}/a.py.jinja": 2}
    assert name_only_files(tmp_path) == ["src/{{package_name}}/b.py.jinja"]
    assert framework_specific_lines({"x.py": "1\n2\n", "y.py": "1\n"}, {"x.py": "1\n2\n", "y.py": "2\n"}) == 1


def test_python_sources_hold_few_jinja_tags() -> None:
    counts = tags_in_python(TEMPLATE)
    listing = "\n".join(f"{count:4} {name}" for name, count in sorted(counts.items(), key=lambda item: -item[1]))
    assert sum(counts.values()) <= MAX_TAGS_IN_PYTHON, listing


def test_few_files_are_jinja_for_the_package_name_alone() -> None:
    found = name_only_files(TEMPLATE)
    assert len(found) <= MAX_NAME_ONLY_FILES, "\n".join(found)
    outside_tests = [name for name in found if "tests" not in Path(name).parts[0]]
    assert len(outside_tests) <= MAX_NAME_ONLY_FILES_OUTSIDE_TESTS, "\n".join(outside_tests)


@pytest.mark.parametrize("framework", ["fastapi", "django"])
def test_framework_specific_source_stays_small(projects: ProjectFactory, framework: str) -> None:
    other = "django" if framework == "fastapi" else "fastapi"
    own = python_sources(projects.render(framework=framework).path)
    theirs = python_sources(projects.render(framework=other).path)
    assert framework_specific_lines(own, theirs) <= MAX_FRAMEWORK_SPECIFIC_LINES[framework]
