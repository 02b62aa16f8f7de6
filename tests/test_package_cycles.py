"""No import cycles between the packages of a rendered service (`api/`, `integrations/`, `items/`, ...), in both
frameworks: a package either uses another or is used by it, so each can be read (and replaced) on its own.

Imports are read with `ast`, including those under `if TYPE_CHECKING:` and inside functions: a deferred import is
still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import ProjectFactory, framework_params

FRAMEWORKS = ["fastapi", "django"]
# Every optional package present, so that every edge an option adds is checked.
ALL_OPTIONS = {"use_redis": True, "rate_limiting": True, "use_sentry": True, "use_prometheus": True}


def imported_modules(path: Path, module: str) -> set[str]:
    """Absolute names of the modules `path` (module `module`) imports."""
    tree = ast.parse(path.read_text())
    package_parts = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names.add(target)
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


def package_graph(source: Path, package: str) -> dict[str, set[str]]:
    """Subpackage -> the subpackages its modules import (top-level modules belong to no subpackage)."""
    root = source / package
    subpackages = {path.parent.name for path in root.glob("*/__init__.py")}
    graph: dict[str, set[str]] = {name: set() for name in subpackages}
    for path in root.rglob("*.py"):
        relative = path.relative_to(source).with_suffix("")
        module = ".".join(relative.parts)
        parts = module.split(".")
        if len(parts) < 3 or parts[1] not in subpackages:
            continue
        for name in imported_modules(path, module.removesuffix(".__init__")):
            target = name.split(".")
            if len(target) > 1 and target[0] == package and target[1] in subpackages and target[1] != parts[1]:
                graph[parts[1]].add(target[1])
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        for target in sorted(graph[node]):
            if target in path:
                cycle = path[path.index(target) :]
                if min(cycle) == cycle[0]:  # each cycle once, from its smallest member
                    found.append([*cycle, target])
            else:
                visit(target, [*path, target])

    for start in sorted(graph):
        visit(start, [start])
    return found


def test_cycle_finder_finds_a_planted_cycle(tmp_path: Path) -> None:
    for name, source in {
        "api": "from ..integrations import wiring\n",
        "integrations": "from ..api import views\n",
    }.items():
        (tmp_path / "pkg" / name).mkdir(parents=True)
        (tmp_path / "pkg" / name / "__init__.py").write_text(source)
    assert cycles(package_graph(tmp_path, "pkg")) == [["api", "integrations", "api"]]


@pytest.mark.parametrize("framework", framework_params(**ALL_OPTIONS))
def test_no_import_cycles_between_packages(projects: ProjectFactory, framework: str) -> None:
    project = projects.render(framework=framework, **ALL_OPTIONS)
    graph = package_graph(project.path / "src", project.package)
    assert {"api", "integrations"} <= graph.keys()
    assert cycles(graph) == [], graph
