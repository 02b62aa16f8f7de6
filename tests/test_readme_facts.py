"""What the rendered README and `.env.example` state about the rendered code is true of that render: every name its
snippets import or decorate with exists, the development token's scopes are the ones the token command gives, and the
example sender is the service's own name. Each once told new users something false (`@app.periodic` where the
FastAPI queue is `queue`; a token said to hold `items:read items:write` that held every `*:admin` scope; `MAIL_FROM=My
Service ...` in a service of another name). Rendered without tasks (no `uv lock`): about a second each."""

from __future__ import annotations

import ast
import re
from email.utils import parseaddr
from pathlib import Path

import pytest

from .test_readme_text import render_without_tasks
from .variants import QUESTION_VALUES

TEMPLATE = Path(__file__).resolve().parents[1]
# Specials of RFC 5322 (the comma, the parentheses, the quotes): the display name must be quoted to stay one name.
PROJECT_NAMES = ["Orders Desk", 'Acme (Shop), "North"']
FENCED_PYTHON = re.compile(r"```python\n(.*?)```", re.S)


def render(destination: Path, **answers: object) -> Path:
    return render_without_tasks(TEMPLATE, destination, **answers)


def module_names(path: Path) -> set[str]:
    """The names a module binds at its top level: definitions, assignments and imports."""
    names: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


@pytest.fixture(scope="module", params=QUESTION_VALUES["framework"])
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A render with jobs and accounts (the README's longest), one per framework."""
    framework = request.param
    return render(tmp_path_factory.mktemp(framework) / "service", framework=framework, auth="users", jobs=True)


def test_every_name_a_readme_snippet_imports_or_decorates_with_exists(rendered: Path) -> None:
    readme = (rendered / "README.md").read_text()
    package = "my_service"
    source = rendered / "src" / package
    imported = re.findall(rf"from {package}\.([\w.]+) import (\w+)", readme)
    assert imported, "the README's snippets import nothing of the package: the check checks nothing"
    for module, name in imported:
        path = source.joinpath(*module.split(".")).with_suffix(".py")
        assert path.is_file(), f"the README imports from {package}.{module}, which does not exist"
        assert name in module_names(path), f"the README imports {name} from {package}.{module}, which has none"
    tasks = source / "jobs" / "tasks.py"
    decorators = re.findall(r"@(\w+)\.(?:task|periodic)\(", readme)
    assert decorators
    for decorator in decorators:
        assert decorator in module_names(tasks), f"the README decorates with @{decorator}., not a name in {tasks}"


@pytest.mark.parametrize("project_name", PROJECT_NAMES)
def test_the_example_sender_is_the_service_s_name(tmp_path: Path, project_name: str) -> None:
    rendered = render(tmp_path / "service", project_name=project_name, auth="users", jobs=True)
    [line] = [line for line in (rendered / ".env.example").read_text().splitlines() if "MAIL_FROM=" in line]
    value = line.removeprefix("# MAIL_FROM=")
    assert parseaddr(value) == (project_name, "no-reply@example.com"), value


@pytest.mark.parametrize("framework", QUESTION_VALUES["framework"])
def test_what_the_readme_says_the_development_token_holds_is_what_the_command_gives(
    tmp_path: Path, framework: str
) -> None:
    """The token command gives every declared scope but the admin ones unless `--admin` (the rendered project's
    test_token_command.py checks that against a running service): each README sentence on it says so."""
    rendered = render(tmp_path / "service", framework=framework, auth="jwt")
    command = (rendered / "src" / "my_service" / "core" / "token_command.py").read_text()
    assert "every scope the routes declare but the admin" in command
    readme = " ".join((rendered / "README.md").read_text().split())
    claims = re.findall(r"`python -m my_service token`\) holds[^.]*|my_service token\)\s+# valid 1 hour:[^.]*", readme)
    assert len(claims) >= 2, claims
    for claim in claims:
        assert "every scope the routes declare but the admin ones" in claim, claim
    assert "items:read items:write)" not in readme
