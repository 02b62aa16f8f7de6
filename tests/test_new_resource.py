"""A render grows a second resource the way its README says, and nothing else needs an edit.

FastAPI: render the default project, run the README's "Add a resource" commands (copy `items/` to `orders/`, rename),
give the copy other field types (Numeric, Enum, Text, a JSONB list, a timestamp), register it in `app.py`, let
Alembic write its migration, then run the project's full checks. Only the new package, its tests, the registration
and the migration may differ from the render.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from .conftest import ProjectFactory, RenderedProject, uv_binary

pytestmark = pytest.mark.slow

GIT = ("git", "-c", "user.name=test", "-c", "user.email=test@example.com")

# Step 2 of the README: the copy's own fields, of the types the example does not show.
FASTAPI_TABLE_IMPORTS = (
    "from sqlalchemy import JSON, BigInteger, Column, Integer, String, Table, Uuid\n",
    "from sqlalchemy import JSON, BigInteger, Column, Enum, Integer, Numeric, String, Table, Text, Uuid\n",
)
FASTAPI_TABLE_COLUMNS = (
    '    Column("updated_at", UTCDateTime, nullable=False),\n)',
    '    Column("updated_at", UTCDateTime, nullable=False),\n'
    '    Column("status", Enum("open", "paid", name="order_status"), nullable=False),\n'
    '    Column("total", Numeric(12, 2), nullable=False),\n'
    '    Column("note", Text, nullable=True),\n'
    '    Column("lines", JSON().with_variant(JSONB(), "postgresql"), nullable=False),\n'
    '    Column("placed_at", UTCDateTime, nullable=True),\n'
    ")",
)
FASTAPI_MODEL_IMPORTS = (
    "from datetime import datetime\nfrom typing import Annotated, Any, Final\n",
    "from datetime import datetime\nfrom decimal import Decimal\nfrom typing import Annotated, Any, Final, Literal\n",
)
FASTAPI_MODEL_FIELDS = (
    '    sku: Sku | None = Field(default=None, description="Stock-keeping unit: optional, no two orders share one")\n'
    "\n\n",
    '    sku: Sku | None = Field(default=None, description="Stock-keeping unit: optional, no two orders share one")\n'
    '    status: Literal["open", "paid"] = "open"\n'
    '    total: Decimal = Decimal("0")\n'
    "    note: str | None = None\n"
    "    lines: list[str] = Field(default_factory=list, max_length=10)\n"
    "    placed_at: datetime | None = None\n"
    "\n\n",
)
FASTAPI_REGISTRATION = (
    (
        "from .items import routes as items\n",
        "from .items import routes as items\nfrom .orders import routes as orders\n",
    ),
    ("    items.router,\n", "    items.router,\n    orders.router,\n"),
)


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{path}: expected one {old!r}"
    path.write_text(text.replace(old, new))


def readme_commands(readme: str) -> list[str]:
    """The shell blocks of the README's "Add a resource" section, in order."""
    section = readme.split("### Add a resource", 1)[1].split("\n## ", 1)[0]
    return [textwrap.dedent(block) for block in re.findall(r"```sh\n(.*?)\n *```", section, flags=re.DOTALL)]


def shell(project: RenderedProject, command: str) -> subprocess.CompletedProcess[str]:
    env = project.env()
    env["PATH"] = f"{Path(uv_binary()).parent}{os.pathsep}{env['PATH']}"
    result = subprocess.run(
        ["bash", "-euc", command], cwd=project.path, env=env, capture_output=True, text=True, timeout=1800, check=False
    )
    assert result.returncode == 0, f"{command}\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    return result


@pytest.fixture
def fastapi_project(projects: ProjectFactory, tmp_path: Path) -> RenderedProject:
    """A fresh copy of the default (FastAPI) render, committed, installed: this test edits it."""
    rendered = projects.render(framework="fastapi")
    destination = tmp_path / "fastapi"
    shutil.copytree(rendered.path, destination, ignore=shutil.ignore_patterns(".venv", ".git"))
    project = RenderedProject(destination, rendered.answers)
    project.run("git", "init", "-q")
    project.run("git", "add", "-A")
    project.run(*GIT, "commit", "-q", "-m", "rendered")
    project.uv("sync", "--quiet", "--compile-bytecode")
    return project


def test_fastapi_a_copied_resource_needs_only_its_registration_and_migration(fastapi_project: RenderedProject) -> None:
    project = fastapi_project
    package = project.path / "src" / project.package
    copy_and_rename, write_migration, checks = readme_commands((project.path / "README.md").read_text())

    shell(project, copy_and_rename)  # step 1
    replace_once(package / "orders" / "table.py", *FASTAPI_TABLE_IMPORTS)  # step 2
    replace_once(package / "orders" / "table.py", *FASTAPI_TABLE_COLUMNS)
    replace_once(package / "orders" / "models.py", *FASTAPI_MODEL_IMPORTS)
    replace_once(package / "orders" / "models.py", *FASTAPI_MODEL_FIELDS)
    for old, new in FASTAPI_REGISTRATION:  # step 3
        replace_once(package / "app.py", old, new)
    shell(project, write_migration)  # step 4

    migration = package / "migrations" / "versions" / "0002_create_orders.py"
    text = migration.read_text()
    assert "from my_service.database import UTCDateTime" in text.replace(project.package, "my_service")
    assert "sa.Numeric(precision=12, scale=2)" in text
    assert "order_status" in text
    project.uv("run", "alembic", "upgrade", "head")
    project.uv("run", "alembic", "check")
    help_text = project.uv("run", "python", "-m", project.package, "token", "--help").stdout
    assert "orders:read" in help_text
    assert "orders:write" in help_text

    shell(project, checks)  # step 5: ruff (sorting the new import), format, mypy --strict, pytest
    project.uv("run", "ruff", "check", ".")
    project.uv("run", "ruff", "format", "--check", ".")

    changed = project.run("git", "status", "--porcelain", "--untracked-files=all").stdout.splitlines()
    paths = sorted(line[3:] for line in changed)
    src = f"src/{project.package}"
    outside = [
        path
        for path in paths
        if not path.startswith((f"{src}/orders/", "tests/orders/"))
        and path not in (f"{src}/app.py", f"{src}/migrations/versions/0002_create_orders.py")
    ]
    assert not outside, f"adding a resource changed files outside it: {outside}"
    numstat = project.run("git", "diff", "--numstat", "--", f"{src}/app.py").stdout.split()
    assert numstat[:2] == ["2", "0"], f"the registration is two added lines in app.py: {numstat}"
