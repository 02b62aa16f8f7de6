"""No import cycles between the modules of a rendered service, and no domain package imported by the shared ones.

`test_package_cycles.py` looks at packages (`api/` against `integrations/`); this looks inside them, one module at a
time: `app.py` importing `users/install.py` which imports `app.py` back is a cycle between two modules of different
packages that the package graph cannot see once the packages are fine, and a top-level module (`app.py`,
`server.py`) belongs to no package there at all.

Which imports count: every `import` and `from ... import` anywhere in a module, relative and absolute, at module
level, inside functions and under `if TYPE_CHECKING:`. An import deferred into a function (`# noqa: PLC0415`) only
hides a cycle from the interpreter until the function runs; the two modules still cannot be read, tested or
replaced one without the other. `from pkg.x import name` counts as an import of `pkg.x.name` when that is a module,
else of `pkg.x`. Not counted: the implicit import of a module's own parent packages (Python runs `pkg/__init__.py`
before `pkg.x` whatever `pkg.x` says). Reading the source with `ast` needs no install of the render.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import ProjectFactory, framework_params
from .test_package_cycles import imported_modules

# The shared layers: they serve every resource, so they name none (a resource plugs into them, not the reverse).
SHARED_PACKAGES = ("api", "core", "jobs")
DOMAIN_PACKAGES = ("items", "users")


def package_modules(source: Path, package: str) -> dict[str, Path]:
    """Every module of `package` under `source`, by its dotted name (a package by its own name, not `.__init__`)."""
    modules: dict[str, Path] = {}
    for path in (source / package).rglob("*.py"):
        parts = path.relative_to(source).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def module_graph(source: Path, package: str) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports."""
    modules = package_modules(source, package)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for imported in imported_modules(path, name):  # it reads a package's `__init__.py` as the package
            # `pkg.api.events.EventPublisher` is an import of `pkg.api.events`: the longest prefix that is a module.
            parts = imported.split(".")
            while parts and ".".join(parts) not in modules:
                parts.pop()
            if parts:
                targets.add(".".join(parts))
        # `from . import x` names the module's own package too: Python runs it first anyway (see above), so an edge
        # to a module's own ancestors (or to itself) is no dependency of its own.
        graph[name] = {target for target in targets if not f"{name}.".startswith(f"{target}.")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of `graph`, one per strongly connected group of modules (Tarjan), each printed as a path
    that returns to its start: enough to see where to cut."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group: set[str] = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return [shortest_cycle(graph, group) for group in groups]


def shortest_cycle(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest cycle through the smallest member of `group` (breadth first, inside the group)."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for target in sorted(graph[node] & group):
                if target == start:
                    return [*paths[node], start]
                if target not in paths:
                    paths[target] = [*paths[node], target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"no cycle through {start}")  # a strongly connected group always has one


def describe(found: list[list[str]], package: str) -> str:
    return "\n".join(" -> ".join(name.removeprefix(f"{package}.") for name in cycle) for cycle in found)


def domain_imports(graph: dict[str, set[str]], package: str) -> list[str]:
    """`shared module -> domain module` for every import of a domain package by a shared one."""

    def within(module: str, packages: tuple[str, ...]) -> bool:
        return any(module == f"{package}.{name}" or module.startswith(f"{package}.{name}.") for name in packages)

    return sorted(
        f"{source.removeprefix(f'{package}.')} -> {target.removeprefix(f'{package}.')}"
        for source, targets in graph.items()
        if within(source, SHARED_PACKAGES)
        for target in targets
        if within(target, DOMAIN_PACKAGES)
    )


def write_package(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_a_cycle_through_a_deferred_import_is_found(tmp_path: Path) -> None:
    write_package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/app.py": "from .users import install\nfrom .core.scopes import scopes_of\n",
            "pkg/core/__init__.py": "",
            "pkg/core/scopes.py": "",
            "pkg/users/__init__.py": "",
            "pkg/users/install.py": "def route_scopes():\n    from ..app import api_scopes\n",
        },
    )
    graph = module_graph(tmp_path, "pkg")
    assert graph["pkg.app"] == {"pkg.users", "pkg.users.install", "pkg.core.scopes"}
    assert describe(cycles(graph), "pkg") == "app -> users.install -> app"


def test_a_package_importing_its_own_module_is_no_cycle(tmp_path: Path) -> None:
    write_package(
        tmp_path, {"pkg/__init__.py": "", "pkg/a/__init__.py": "from .b import x\n", "pkg/a/b.py": "from . import c\n"}
    )
    graph = module_graph(tmp_path, "pkg")
    assert graph["pkg.a"] == {"pkg.a.b"}
    assert graph["pkg.a.b"] == set()  # `pkg.a.c` is no module here; `pkg.a` is its own package
    assert cycles(graph) == []


def test_a_shared_package_importing_a_domain_package_is_found(tmp_path: Path) -> None:
    write_package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/items/__init__.py": "",
            "pkg/items/models.py": "",
            "pkg/jobs/__init__.py": "",
            "pkg/jobs/exports.py": "from pkg.items.models import Item\n",
            "pkg/api/__init__.py": "",
            "pkg/api/base.py": "from ..jobs import exports\n",
        },
    )
    assert domain_imports(module_graph(tmp_path, "pkg"), "pkg") == ["jobs.exports -> items.models"]


@pytest.mark.parametrize("framework", framework_params())
def test_the_default_render_has_no_import_cycle(projects: ProjectFactory, framework: str) -> None:
    project = projects.render(framework=framework)
    graph = module_graph(project.path / "src", project.package)
    assert f"{project.package}.app" in graph or f"{project.package}.settings" in graph  # the package was read
    found = cycles(graph)
    assert not found, f"import cycles:\n{describe(found, project.package)}"


@pytest.mark.parametrize("framework", framework_params())
def test_the_shared_packages_import_no_domain_package(projects: ProjectFactory, framework: str) -> None:
    project = projects.render(framework=framework)
    found = domain_imports(module_graph(project.path / "src", project.package), project.package)
    assert not found, "shared package -> domain package:\n" + "\n".join(found)
