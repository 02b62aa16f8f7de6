"""Rendering: every answer renders cleanly, changes the output, and is recorded; bad answers write nothing."""

from __future__ import annotations

import compileall
import contextlib
import itertools
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from . import jinja_cache, variants
from .conftest import (
    REPO_ROOT,
    ProjectFactory,
    RenderedProject,
    copier_cli,
    slow_unless,
    variant_group,
    variant_param,
    variant_params,
)
from .variants import (
    DEEP_BUDGET,
    DEEP_EXTRAS,
    DEFAULT_ANSWERS,
    FREE_TEXT_CHANGES,
    INVALID_COMBINATIONS,
    NOT_PAIRWISE,
    PAIRWISE_QUESTIONS,
    QUESTION_VALUES,
    ROTATION,
    STATIC_PAIRWISE_QUESTIONS,
    WHOLE_SUITE_TURNS,
    deep_variants,
    deep_variants_to_run,
    grown_suite_frameworks,
    is_valid,
    one_at_a_time,
    pairwise,
    rotation_slot,
    runs_deep_suites,
    static_pairwise,
    variant_id,
    variants_in_slot,
    with_defaults,
)


def static_variants() -> list[dict[str, object]]:
    """Every variant the matrix declares, once: one-at-a-time plus the pairwise set and its rendered-only rows."""
    unique: dict[str, dict[str, object]] = {}
    for answers in one_at_a_time() + static_pairwise():
        unique.setdefault(variant_id(with_defaults(answers)), answers)
    return list(unique.values())


# `{{ name }}`, `{{ name | filter }}`, `{% tag`, `{# comment`: what an unrendered template looks like.
# `${{ github.ref }}` is a GitHub Actions expression, not Jinja.
JINJA_MARKERS = re.compile(r"(?<!\$)\{\{-?\s*[A-Za-z_][\w.]*\s*(\||\}\})|\{%-?\s|\{#-?\s")
# Files where braces are legitimate content (besides what Python/TOML/Make need); Grafana's legends are `{{label}}`.
SKIP_SUFFIXES = (".js", ".css", ".map", ".png", ".ico", ".woff2", "grafana-dashboard.json")


# What tools write into a rendered project once it is installed and checked (the deep checks share the render).
NOT_RENDERED = frozenset({".venv", ".git", ".mypy_cache", ".pytest_cache", ".ruff_cache", "__pycache__", "uv.lock"})


def rendered_files(root: Path) -> list[Path]:
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and NOT_RENDERED.isdisjoint(path.relative_to(root).parts) and path.name != ".coverage"
    )


def file_map(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in rendered_files(root)}


def assert_clean_render(project: RenderedProject) -> None:
    files = rendered_files(project.path)
    assert files, "nothing was rendered"
    leftovers = [
        str(path.relative_to(project.path))
        for path in files
        if not path.name.endswith(SKIP_SUFFIXES) and JINJA_MARKERS.search(path.read_text(errors="replace"))
    ]
    assert not leftovers, f"unrendered Jinja in {leftovers}"
    assert not [path for path in files if path.suffix == ".jinja"], "a .jinja file was rendered as is"
    assert not (project.path / "copier.yml").exists()
    assert not (project.path / "template").exists()
    assert not (project.path / ".git").exists(), "the template's .git leaked into the project"
    assert not (project.path / ".env").exists(), ".env must never be rendered (users own it)"
    assert not (project.path / "{{package_name}}").exists()


# Each answer alone in the fast subset (`-m "not slow"`); the pairwise rows, whose point is the combinations, in the
# full suite (each render and its checks cost seconds).
@pytest.mark.parametrize("answers", slow_unless(variant_params(static_variants()), one_at_a_time()))
def test_every_variant_renders_cleanly(projects: ProjectFactory, answers: dict[str, object], tmp_path: Path) -> None:
    project = projects.render(**answers)
    assert_clean_render(project)
    package_dir = project.path / "src" / project.package
    assert (package_dir / "__init__.py").exists()
    # The bytecode goes to a directory of this test's, never into the render: the same worker may have installed
    # it for its deep checks (whose venv bytecode must stay) and uses it again after this test.
    with pycache_prefix(tmp_path / "pycache"):
        assert compileall.compile_dir(project.path / "src", quiet=1, force=True, legacy=False)
        assert compileall.compile_dir(project.path / "tests", quiet=1, force=True, legacy=False)
    assert not list((project.path / "src").rglob("__pycache__")), "bytecode was written into the render"
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=project.path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "."],
        cwd=project.path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


@contextlib.contextmanager
def pycache_prefix(directory: Path) -> Iterator[None]:
    """Bytecode written while inside goes under `directory` (`sys.pycache_prefix`, which compileall honours)."""
    previous = sys.pycache_prefix
    sys.pycache_prefix = str(directory)
    try:
        yield
    finally:
        sys.pycache_prefix = previous


DEFAULT_GROUP = variant_group({})


@DEFAULT_GROUP
def test_answers_are_recorded(projects: ProjectFactory) -> None:
    project = projects.render()
    recorded = yaml.safe_load((project.path / ".copier-answers.yml").read_text())
    for key, value in DEFAULT_ANSWERS.items():
        assert recorded[key] == value, key
    assert recorded["project_slug"] == "my-service"
    assert recorded["package_name"] == "my_service"
    assert recorded["_commit"]
    assert recorded["_src_path"]
    assert "reserved_python_names" not in recorded  # internal, not an answer


@DEFAULT_GROUP
def test_default_render_has_the_expected_layout(projects: ProjectFactory) -> None:
    project = projects.render()
    for relative in [
        "pyproject.toml",
        "README.md",
        "CHANGELOG.md",
        "Makefile",
        ".env.example",
        ".env.staging.example",
        ".env.production.example",
        ".gitignore",
        ".python-version",
        "src/my_service/__init__.py",
        "src/my_service/__main__.py",
        "src/my_service/app.py",
        "src/my_service/config.py",
        "src/my_service/py.typed",
        "tests/conftest.py",
    ]:
        assert (project.path / relative).is_file(), relative
    readme = (project.path / "README.md").read_text()
    for variable in ["ENVIRONMENT", "HOST", "PORT", "LOG_LEVEL", "LOG_FORMAT", "CORS_ORIGINS", "MAX_BODY_SIZE"]:
        assert f"`{variable}`" in readme, variable
        assert f"{variable}=" in (project.path / ".env.example").read_text()


LAYOUT_ENTRY = re.compile(r"^(?P<indent> *)(?P<path>[\w.{}-]+(?:/[\w.{}-]+)*/?)(?:\s|$)")


def layout_paths(readme: str) -> list[str]:
    """The paths the README's Layout section names: its code block, one entry per line (`dir/` opens a level that
    the lines indented under it are in); lines indented deeper than an entry continue its description."""
    section = readme.split("\n## Layout\n", 1)[1]
    block = section.split("```", 2)[1].split("\n", 1)[1]
    paths: list[str] = []
    parents: list[tuple[int, str]] = []  # (indent, directory)
    for line in block.splitlines():
        match = LAYOUT_ENTRY.match(line)
        indent = len(line) - len(line.lstrip(" "))
        if match is None or (parents and indent > parents[-1][0] + 2) or (not parents and indent):
            continue
        while parents and parents[-1][0] >= indent:
            parents.pop()
        path = "/".join([*(directory for _, directory in parents), match["path"].rstrip("/")])
        paths.append(path)
        if match["path"].endswith("/"):
            parents.append((indent, path))
    return paths


@pytest.mark.parametrize(
    "framework",
    [pytest.param(framework, marks=variant_group({"framework": framework})) for framework in ("fastapi", "django")],
)
def test_every_path_the_readme_layout_names_exists(projects: ProjectFactory, framework: str) -> None:
    project = projects.render(framework=framework)
    named = layout_paths((project.path / "README.md").read_text())
    assert len(named) >= 10, named
    missing = [path for path in named if not (project.path / path).exists()]
    assert missing == []


# Phrases a rendered service's code must not hold: they speak of the template or of the other web framework.
SPEAKS_OF_ANOTHER_SERVICE = re.compile(
    r"both frameworks|the (django|fastapi) (variant|flavou?r|render)|the other (variant|framework)"
    # The project template, in any phrasing ("the template", "template's own tests", "Template tests"); a path or
    # route template (`/items/{item_id}`) and Django's template engine are the service's own business.
    r"|(?<!path )(?<!route )(?<![\w.-])template(?!s? engine)(?![\w-])",
    re.IGNORECASE,
)
"""Words about the template rather than the service (rendered code speaks only of the service)."""

COPIER_QUESTIONS: dict[str, dict[str, object]] = {
    name: question
    for name, question in yaml.safe_load((Path(__file__).parents[1] / "copier.yml").read_text()).items()
    if not name.startswith("_") and isinstance(question, dict) and question.get("type") in ("str", "bool")
}


def _names_an_answer() -> re.Pattern[str]:
    """A copier question named with one of its values (`auth=users`, `database == "sqlite"`), a yes/no question
    named as such (`use_redis`, "with use_redis", `rate_limiting=false`), or copier itself."""
    patterns = [r"(?i:\bcopier\b)"]
    for name, question in COPIER_QUESTIONS.items():
        if question["type"] == "bool":
            patterns.append(
                rf"`{name}`|\b{name}\s*(?:[=!]=?|is)\s*['\"]?(?:true|false|True|False)\b"
                rf"|\b(?:with|without|when|unless|no)\s+{name}\b"
            )
        elif isinstance(question.get("choices"), dict | list):
            choices = question["choices"]
            values = choices.values() if isinstance(choices, dict) else choices
            alternatives = "|".join(re.escape(str(value)) for value in values)
            patterns.append(rf"\b{name}\s*(?:==|!=|=)\s*['\"]?(?:{alternatives})(?![\w.])")
    return re.compile("|".join(patterns))


NAMES_AN_ANSWER = _names_an_answer()
"""Words about the answers a service was rendered with (a rendered service is what it is, not a choice)."""


def render_commands(project: RenderedProject) -> set[str]:
    """The commands `python -m <package>` has in this render: the keys of `COMMANDS` in its `__main__.py`."""
    main = (project.path / "src" / project.package / "__main__.py").read_text()
    table = main.split("COMMANDS", 1)[1].split("}", 1)[0]
    return set(re.findall(r'^\s+"([a-z][a-z-]*)":', table, flags=re.MULTILINE))


def commands_it_lacks(line: str, package: str, commands: set[str]) -> list[str]:
    """The `python -m <package> <command>` the line names that the render does not have."""
    named = re.findall(rf"-m\s+(?:{re.escape(package)}|<package>|<package_name>)\s+([a-z][a-z-]*)", line)
    return [command for command in named if command not in commands]


SPEAKING_VARIANTS = [
    {"framework": framework, "auth": auth, "use_redis": use_redis}
    for framework in ("fastapi", "django")
    for auth in ("users", "jwt", "none")
    for use_redis in (False, True)
]
# And the answers whose files speak of their question when it is off (a SQLite database, no rate limiting, ...).
SPEAKING_VARIANTS[5].update(database="sqlite", rate_limiting=False, docs_ui="none", use_sentry=False)
SPEAKING_VARIANTS[10].update(database="sqlite", rate_limiting=False, docs_ui="swagger", ci_provider="gitlab")


# The fast subset (`-m "not slow"`) reads four of them: each framework's default and its row with the answers off.
FAST_SPEAKING = (0, 5, 6, 10)


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param(
            *param.values, id=param.id, marks=[*param.marks, *([] if index in FAST_SPEAKING else [pytest.mark.slow])]
        )
        for index, param in enumerate(
            variant_param(answers, id="-".join(map(str, answers.values()))) for answers in SPEAKING_VARIANTS
        )
    ],
)
def test_rendered_code_speaks_of_the_rendered_service(projects: ProjectFactory, answers: dict[str, object]) -> None:
    """Nothing in `src/` or `tests/` speaks of the template, of the other framework, of the answers the service was
    rendered with, or of a `python -m <package>` command it does not have."""
    project = projects.render(**answers)
    commands = render_commands(project)
    found = [
        f"{path.relative_to(project.path)}:{number}: {line.strip()}"
        for folder in ("src", "tests")
        for path in rendered_files(project.path / folder)
        if "vendor" not in path.parts  # third-party files, kept byte for byte
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if SPEAKS_OF_ANOTHER_SERVICE.search(line)
        or NAMES_AN_ANSWER.search(line)
        or commands_it_lacks(line, project.package, commands)
    ]
    assert found == []


@pytest.mark.parametrize(
    "line",
    [
        "The service's users (`auth=users`): who may sign in",
        "# With auth=jwt: any valid token, no scope.",
        'raise ValueError("this service was generated with database=sqlite")',
        "# Read-through cache (`use_redis`): invalidated on every write",
        "without use_redis the limits are counted in memory",
        "turning rate limiting on later (`copier update`) only changes this file",
        "Rendered by Copier.",
        "if docs_ui == 'swagger':",
    ],
)
def test_the_answer_check_catches_names_of_answers(line: str) -> None:
    assert NAMES_AN_ANSWER.search(line), line


@pytest.mark.parametrize(
    "line",
    [
        "from .rate_limiting import install as install_rate_limiting",
        "server = uvicorn.Server(config)",
        'DOCS_UI = "scalar"',
        "from .docs_ui import install as install_docs_ui",
        "A Kubernetes probe failing on every saturated replica",
        "database: PostgreSQL (a throwaway cluster)",
        "initdb -D <dir> -U postgres --auth=trust",
    ],
)
def test_the_answer_check_leaves_the_services_own_words(line: str) -> None:
    assert not NAMES_AN_ANSWER.search(line), line


def test_the_command_check_catches_a_command_the_render_lacks() -> None:
    commands = {"serve", "migrate", "users", "signing-key"}
    assert commands_it_lacks("what the development token holds (`python -m <package> token`)", "shop", commands)
    assert commands_it_lacks("E2E_TOKEN=$(uv run python -m shop token)", "shop", commands) == ["token"]
    assert not commands_it_lacks("`uv run python -m shop users create EMAIL --admin`", "shop", commands)
    assert not commands_it_lacks("python -m pytest tests", "shop", commands)


@pytest.mark.parametrize(
    "line",
    [
        "The template's own test suite runs the service against a real redis-server.",
        "template's own test suite",
        "Rendered by the project template",
        "Template tests: a render passes ruff",
        "the Django variant keeps it",
    ],
)
def test_the_speaking_check_catches_words_about_the_template(line: str) -> None:
    assert SPEAKS_OF_ANOTHER_SERVICE.search(line), line


@pytest.mark.parametrize(
    "line",
    [
        "The matched route's path template (`/api/v1/items/{item_id}`), never the raw path",
        "def route_template(scope: Scope) -> str | None:",
        '"django.template.context_processors.request",',
        'Problem.model_json_schema(ref_template="#/components/schemas/{model}")',
        "def test_asset_route_is_logged_as_its_template(http: HTTPClient) -> None:",
        '"""Prometheus metrics: route-template labels."""',
        "TEMPLATES = [",
    ],
)
def test_the_speaking_check_leaves_the_services_own_templates(line: str) -> None:
    assert not SPEAKS_OF_ANOTHER_SERVICE.search(line), line


PROSE_ONLY = ("description", "author_name", "author_email")


def _changed_answers() -> list[tuple[str, object]]:
    changes: list[tuple[str, object]] = list(FREE_TEXT_CHANGES.items())
    for question, values in QUESTION_VALUES.items():
        changes.extend((question, value) for value in values if value != DEFAULT_ANSWERS.get(question))
    return changes


@pytest.mark.parametrize(
    ("question", "value"),
    [
        pytest.param(
            question,
            value,
            id=f"{question}-{value}",
            # Text that lands in a few lines only (README, pyproject): the full suite renders it.
            marks=[variant_group({question: value}), *([pytest.mark.slow] if question in PROSE_ONLY else [])],
        )
        for question, value in _changed_answers()
    ],
)
def test_every_question_changes_the_output(projects: ProjectFactory, question: str, value: object) -> None:
    default = file_map(projects.render().path)
    changed = file_map(projects.render(**{question: value}).path)
    default.pop(".copier-answers.yml")
    changed.pop(".copier-answers.yml")
    assert default != changed, f"answering {question}={value!r} changed nothing but the answers file"


def test_derived_names_follow_the_project_name(projects: ProjectFactory) -> None:
    project = projects.render(project_name="Billing Gateway 2")
    answers = yaml.safe_load((project.path / ".copier-answers.yml").read_text())
    assert answers["project_slug"] == "billing-gateway-2"
    assert answers["package_name"] == "billing_gateway_2"
    assert (project.path / "src" / "billing_gateway_2" / "app.py").exists()


def test_quotes_in_free_text_stay_valid_python(projects: ProjectFactory) -> None:
    project = projects.render(project_name='Bob\'s "Quoted" API', description="Says \"hi\" \\ and 'bye'")
    namespace: dict[str, object] = {}
    init = project.path / "src" / "bob_s_quoted_api" / "__init__.py"
    exec(compile(init.read_text(), str(init), "exec"), namespace)
    assert namespace["SERVICE_NAME"] == 'Bob\'s "Quoted" API'
    assert namespace["SERVICE_DESCRIPTION"] == "Says \"hi\" \\ and 'bye'"
    # As the render's own `ruff format --check` wants them: single quotes where that escapes fewer quotes.
    formatted = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--diff", "--no-cache", str(init)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


BAD_ANSWERS = [
    ("project_name", "", "project_name must not be empty"),
    ("project_name", "9 Lives", "must start with a letter"),
    ("project_slug", "My_Service", "use lowercase letters and digits"),
    ("project_slug", "double--hyphen", "single hyphens between words"),
    ("package_name", "my-service", "use a lowercase Python identifier"),
    ("package_name", "2fast", "use a lowercase Python identifier"),
    ("package_name", "json", "standard-library module"),
    ("package_name", "class", "Python keyword"),
    ("package_name", "fastapi", "would shadow it"),
    ("author_email", "not-an-email", "is not an email address"),
    ("python_version", "3.10", "3.11"),
    ("framework", "flask", "fastapi"),
    ("server", "hypercorn", "'uvicorn', 'granian'"),
]
# Copier itself reads any text that is not a "no" as yes (`use_redis=maybe` would render as true).
YES_NO_QUESTIONS = [question for question, values in QUESTION_VALUES.items() if set(values) == {True, False}]
# One check serves every yes/no question: the fast subset (`-m "not slow"`) asks the first, the full suite each.
BAD_ANSWERS += [
    pytest.param(
        question, "maybe", f'{question} must be true or false (yes/no, on/off and 1/0 also work), not "maybe"',
        marks=[pytest.mark.slow] if index else [],
    )
    for index, question in enumerate(YES_NO_QUESTIONS)
]  # fmt: skip


def test_django_takes_the_same_defaults_as_fastapi(copier_template: Path, tmp_path: Path) -> None:
    destination = tmp_path / "service"
    result = copier_cli(
        "copy",
        "--trust",
        "--defaults",
        "--vcs-ref",
        "HEAD",
        "--data",
        "framework=django",
        str(copier_template),
        str(destination),
    )
    assert result.returncode == 0, result.stderr
    answers = yaml.safe_load((destination / ".copier-answers.yml").read_text())
    assert answers["framework"] == "django"
    # No option is framework-specific: `--data framework=django` alone gets every integration FastAPI gets.
    assert {key: answers[key] for key in DEFAULT_ANSWERS if key != "framework"} == {
        key: value for key, value in DEFAULT_ANSWERS.items() if key != "framework"
    }
    assert (destination / "manage.py").is_file()
    assert (destination / "src" / "my_service" / "asgi.py").is_file()  # DJANGO_SETTINGS_MODULE: my_service.settings
    assert not (destination / "src" / "my_service" / "api" / "dependencies.py").exists()  # FastAPI's only


@pytest.mark.parametrize(("question", "value", "message"), BAD_ANSWERS, ids=lambda value: str(value) or "empty")
def test_bad_answers_are_rejected_and_nothing_is_written(
    copier_template: Path, tmp_path: Path, question: str, value: str, message: str
) -> None:
    destination = tmp_path / "service"
    result = copier_cli(
        "copy", "--trust", "--defaults", "--data", f"{question}={value}", str(copier_template), str(destination)
    )
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
    assert not destination.exists() or not any(destination.iterdir())


@pytest.mark.parametrize(("answers", "message"), INVALID_COMBINATIONS, ids=lambda value: str(value))
def test_a_refused_combination_is_refused_by_copier(
    copier_template: Path, tmp_path: Path, answers: dict[str, object], message: str
) -> None:
    destination = tmp_path / "service"
    data = [f"--data={question}={str(value).lower()}" for question, value in answers.items()]
    result = copier_cli("copy", "--trust", "--defaults", *data, str(copier_template), str(destination))
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
    assert not destination.exists() or not any(destination.iterdir())


def test_variant_ids_are_unique() -> None:
    ids = [variant_id(with_defaults(answers)) for answers in one_at_a_time()]
    assert len(ids) == len(set(ids))


def pairwise_values(question: str) -> list[object]:
    """The question's values but those kept out of the pairwise array (NOT_PAIRWISE: deep extras instead)."""
    return [value for value in QUESTION_VALUES[question] if value not in NOT_PAIRWISE.get(question, [])]


def test_the_deep_set_stays_within_the_ci_budget() -> None:
    """Each deep variant is installed, type-checked, tested and run against the contract suite, one of them on each
    commit beside the default (`ROTATION`). A new value joins the pairwise array in their place, not beside it."""
    assert len(deep_variants()) <= DEEP_BUDGET
    assert len(deep_variants()) - 1 <= ROTATION  # one other deep suite per run: more would take CI past 30 minutes


def test_the_rotation_runs_every_deep_variant_in_turn_and_both_frameworks_each_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each slot holds the default and one other deep variant, the frameworks alternating from slot to slot while
    both have variants left; together the slots hold every deep variant once (the default in each). Each slot, in each
    turn, runs one whole rendered suite: in one turn its deep variant's, in the other the other framework's default
    grown (tests/test_new_resource.py); ALL_VARIANTS=1 and TEMPLATE_VARIANTS take precedence over the commit's slot."""
    deep = [variant_id(with_defaults(answers)) for answers in deep_variants()]
    seen: list[str] = []
    frameworks: list[str] = []
    for slot in range(ROTATION):
        rows = [with_defaults(answers) for answers in variants_in_slot(slot)]
        assert variant_id(rows[0]) == "default"
        assert len(rows) <= 2, slot
        seen.extend(variant_id(row) for row in rows[1:])
        frameworks.extend(str(row["framework"]) for row in rows[1:])
    alternating = 2 * min(frameworks.count(framework) for framework in QUESTION_VALUES["framework"])
    assert all(first != second for first, second in itertools.pairwise(frameworks[:alternating])), frameworks
    assert sorted(["default", *seen]) == sorted(deep)
    monkeypatch.delenv("TEMPLATE_VARIANTS", raising=False)
    monkeypatch.delenv("ALL_VARIANTS", raising=False)
    commit_slot = variants.rotation_slot
    commit_turn = variants.whole_suite_turn
    for slot, turn in itertools.product(range(ROTATION), range(WHOLE_SUITE_TURNS)):
        monkeypatch.setattr(variants, "rotation_slot", lambda slot=slot: slot)
        monkeypatch.setattr(variants, "whole_suite_turn", lambda turn=turn: turn)
        deep_frameworks = {str(with_defaults(answers)["framework"]) for answers in variants_in_slot(slot)[1:]}
        deep_suites = len(deep_frameworks) if runs_deep_suites() else 0
        assert deep_suites + len(grown_suite_frameworks()) == 1, (slot, turn)
        if grown_suite_frameworks():
            assert deep_frameworks | set(grown_suite_frameworks()) == set(QUESTION_VALUES["framework"]), slot
    monkeypatch.setattr(variants, "rotation_slot", commit_slot)
    monkeypatch.setattr(variants, "whole_suite_turn", commit_turn)
    monkeypatch.setenv("ALL_VARIANTS", "1")
    assert deep_variants_to_run() == deep_variants()
    assert grown_suite_frameworks() == QUESTION_VALUES["framework"]
    assert runs_deep_suites()
    monkeypatch.delenv("ALL_VARIANTS")
    slot = rotation_slot()
    assert slot is not None
    assert deep_variants_to_run() == variants_in_slot(slot)
    monkeypatch.setenv("TEMPLATE_VARIANTS", deep[-1])
    assert [variant_id(with_defaults(answers)) for answers in deep_variants_to_run()] == [deep[-1]]


def test_every_auth_is_installed_with_each_framework() -> None:
    rows = [with_defaults(answers) for answers in deep_variants()]
    for auth in QUESTION_VALUES["auth"]:
        for framework in QUESTION_VALUES["framework"]:
            assert any(row["auth"] == auth and row["framework"] == framework for row in rows), (auth, framework)


def test_values_kept_out_of_pairwise_are_deep_extras() -> None:
    for question, values in NOT_PAIRWISE.items():
        for value in values:
            assert any(extra.get(question) == value for extra in DEEP_EXTRAS), f"{question}={value} is never installed"


def covers_every_pair(rows: list[dict[str, object]], questions: list[str]) -> None:
    assert all(is_valid(row) for row in rows)
    for first, second in itertools.combinations([question for question in questions if question in QUESTION_VALUES], 2):
        for value_a in pairwise_values(first):
            for value_b in pairwise_values(second):
                if not is_valid({first: value_a, second: value_b}):
                    continue
                assert any(row[first] == value_a and row[second] == value_b for row in rows), (
                    f"no pairwise variant has {first}={value_a!r} with {second}={value_b!r}"
                )


def test_pairwise_set_covers_every_pair_of_values() -> None:
    covers_every_pair([with_defaults(answers) for answers in pairwise()], PAIRWISE_QUESTIONS)


def test_the_rendered_rows_cover_the_pairs_of_the_files_no_service_runs() -> None:
    """CI pipelines and Kubernetes manifests ride on the installed rows; the rows added for the pairs those leave out
    are rendered and statically checked only, and are fewer than the installed ones."""
    installed = [with_defaults(answers) for answers in pairwise()]
    rendered = [with_defaults(answers) for answers in static_pairwise()]
    assert rendered[: len(installed)] == installed
    assert len(rendered) - len(installed) < len(installed) // 2
    covers_every_pair(rendered, [*PAIRWISE_QUESTIONS, *STATIC_PAIRWISE_QUESTIONS])
    assert not set(STATIC_PAIRWISE_QUESTIONS) & set(PAIRWISE_QUESTIONS)


def test_the_rendered_only_questions_change_no_file_a_service_runs() -> None:
    """What keeps ci_provider and kubernetes out of the installed rows true: no source, test, dependency or setting of
    the service reads them (only the CI files, the manifests and the README's words about them)."""
    allowed = {"README.md.jinja", "CHANGELOG.md.jinja"}
    for path in (REPO_ROOT / "template").rglob("*"):
        relative = path.relative_to(REPO_ROOT / "template").as_posix()
        if path.is_dir() or path.name in allowed or any(f"{{% if {q}" in relative for q in STATIC_PAIRWISE_QUESTIONS):
            continue
        if path.suffix != ".jinja" and not any(question in relative for question in STATIC_PAIRWISE_QUESTIONS):
            continue
        text = path.read_text(errors="replace")
        for question in STATIC_PAIRWISE_QUESTIONS:
            assert question not in text, f"{relative} depends on {question}"


def test_a_refused_combination_leaves_the_matrix(monkeypatch: pytest.MonkeyPatch) -> None:
    """No combination is refused today; when copier.yml refuses one, it goes in INVALID_COMBINATIONS (with a refusal
    test beside BAD_ANSWERS) and the generated matrix must leave it out while still covering every other pair."""
    refused = {"framework": "django", "use_redis": True}
    monkeypatch.setattr(variants, "INVALID_COMBINATIONS", [(refused, "not available")])
    rows = [with_defaults(variants._changed(row)) for row in variants._installed_rows.__wrapped__()]  # uncached
    assert not [row for row in rows if refused.items() <= row.items()]
    assert any(row["framework"] == "django" for row in rows)
    assert any(row["use_redis"] for row in rows)
    assert not variants.is_valid(refused)
    assert variants.is_valid({"framework": "django", "use_redis": False})


def test_every_value_appears_in_one_at_a_time() -> None:
    covered = {(key, value) for answers in one_at_a_time() for key, value in answers.items()}
    for question, values in QUESTION_VALUES.items():
        for value in values:
            assert value == DEFAULT_ANSWERS.get(question) or (question, value) in covered


def test_yes_no_answers_take_the_usual_spellings(copier_template: Path, tmp_path: Path) -> None:
    destination = tmp_path / "service"
    spellings = {
        "use_redis": "yes",
        "rate_limiting": "Off",
        "use_sentry": "0",
        "use_prometheus": "n",
        "kubernetes": "TRUE",
        "redoc_page": "On",
        "jobs": "no",
        "file_storage": "Yes",
    }
    data = [f"--data={question}={value}" for question, value in spellings.items()]
    result = copier_cli("copy", "--trust", "--defaults", "--skip-tasks", *data, str(copier_template), str(destination))
    assert result.returncode == 0, result.stderr
    answers = yaml.safe_load((destination / ".copier-answers.yml").read_text())
    assert [answers[question] for question in spellings] == [True, False, False, False, True, True, False, True]
    assert set(spellings) == set(YES_NO_QUESTIONS)


def test_a_failed_lock_is_reported_and_nothing_claims_the_lock_exists(copier_template: Path, tmp_path: Path) -> None:
    """`uv lock` cannot reach an index: the copy still succeeds, and says what to run instead of "uv.lock included"."""
    destination = tmp_path / "service"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "PYTEST", "UV_"))}
    env.update(UV_OFFLINE="1", UV_CACHE_DIR=str(tmp_path / "empty-cache"), UV_PYTHON_DOWNLOADS="never")
    result = subprocess.run(
        [sys.executable, "-m", "copier", "copy", "--trust", "--defaults", str(copier_template), str(destination)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert not (destination / "uv.lock").exists()
    assert "`uv lock` failed, so uv.lock was not created" in result.stderr
    assert "uv.lock included" not in result.stdout
    assert "uv.lock created" not in result.stdout
    assert "uv lock " in result.stdout  # the next steps include locking
    readme = (destination / "README.md").read_text()
    assert "was created when the project was generated" not in readme
    assert "if the\nproject has no `uv.lock`, run `uv lock`" in readme


@DEFAULT_GROUP
def test_make_help_lists_the_targets_as_written(projects: ProjectFactory) -> None:
    project = projects.render()
    result = subprocess.run(["make", "help"], cwd=project.path, capture_output=True, text=True, check=True)
    assert "$$" not in result.stdout
    assert "  run        Serve on HOST:PORT from the settings (default 127.0.0.1:8000)" in result.stdout
    assert "  dev        Serve with auto-reload" in result.stdout


@DEFAULT_GROUP
def test_make_check_runs_every_check_and_typechecks_beside_the_tests(projects: ProjectFactory) -> None:
    """`make check` is what the README and CI promise: lint, mypy and the tests; mypy and the tests side by side."""
    project = projects.render()
    # -n prints the commands without running them (the sub-make that runs typecheck and test prints its own).
    result = subprocess.run(["make", "-n", "check"], cwd=project.path, capture_output=True, text=True, check=True)
    # Each command as the Makefile writes it after `$(UV) ` (UV may name a binary by its path).
    commands = [re.sub(r"^\S*\buv ", "uv ", line.strip()) for line in result.stdout.splitlines()]
    for expected in ("uv run ruff check .", "uv run ruff format --check .", "uv run mypy", "uv run pytest"):
        assert expected in commands, result.stdout
    assert "-j2 --output-sync=line typecheck test" in result.stdout  # GNU make 4 here


def test_every_python_version_is_installed_and_tested_with_both_frameworks() -> None:
    deep = {(row["python_version"], row["framework"]) for row in (with_defaults(answers) for answers in pairwise())}
    assert deep == set(itertools.product(QUESTION_VALUES["python_version"], QUESTION_VALUES["framework"]))


@DEFAULT_GROUP
def test_make_dev_listens_where_the_service_would(projects: ProjectFactory, tmp_path: Path) -> None:
    """HOST/PORT as the settings read them: the environment first, then `.env`, then the defaults."""
    project = projects.render()
    copy = tmp_path / "project"
    # Without the venv its worker may have installed there (hundreds of MB): `make -n` runs nothing from it.
    shutil.copytree(project.path, copy, symlinks=True, ignore=shutil.ignore_patterns(".venv"))

    def dev_command(**env: str) -> str:
        clean = {key: value for key, value in os.environ.items() if key not in ("HOST", "PORT")}
        result = subprocess.run(
            ["make", "-n", "dev"], cwd=copy, env={**clean, **env}, capture_output=True, text=True, check=True
        )
        return " ".join(result.stdout.split())

    assert '--host "127.0.0.1" --port "8000"' in dev_command()
    (copy / ".env").write_text('LOG_LEVEL=DEBUG\nPORT="9123"\nHOST=0.0.0.0\n')
    assert '--host "0.0.0.0" --port "9123"' in dev_command()
    assert '--host "0.0.0.0" --port "7000"' in dev_command(PORT="7000")
    assert "--reload" in dev_command()


@pytest.mark.slow  # checks the tests' own Jinja cache (tests/jinja_cache.py), not the template: renders each twice
@pytest.mark.parametrize("framework", ["fastapi", "django"])
def test_remembered_compilations_change_no_byte_of_a_render(
    copier_template: Path, tmp_path: Path, framework: str
) -> None:
    """The suite's renders remember each compiled template string (tests/jinja_cache.py): a render that reuses them
    is byte for byte a render that compiles everything anew."""
    from copier import run_copy

    def render(destination: Path) -> dict[str, bytes]:
        run_copy(
            str(copier_template), destination, data={"framework": framework}, defaults=True, unsafe=True,
            vcs_ref="HEAD", skip_tasks=True, quiet=True,
        )  # fmt: skip
        return {
            str(path.relative_to(destination)): path.read_bytes() + oct(path.stat().st_mode).encode()
            for path in sorted(destination.rglob("*"))
            if path.is_file()
        }

    jinja_cache.install()
    render(tmp_path / "filling")
    reused_before = jinja_cache.reuses
    remembered = render(tmp_path / "remembered")
    assert jinja_cache.reuses - reused_before > 1000  # the second render compiled (almost) nothing itself
    jinja_cache.uninstall()
    try:
        anew = render(tmp_path / "anew")
    finally:
        jinja_cache.install()
    assert remembered.keys() == anew.keys()
    assert [path for path in anew if remembered[path] != anew[path]] == []
