"""A render grows a second resource the way its README says, and nothing else needs an edit.

Both frameworks: render the project, run the README's "Add a resource" steps (copy the example resource, rename it),
give the copy other field types than the example's, register it, generate its migration, then run the project's full
checks. Only the new package, its tests, the registration lines and the migration may differ from the render.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from .conftest import ProjectFactory, RenderedProject, uv_binary, variant_group

pytestmark = pytest.mark.slow

GIT = ("git", "-c", "user.name=test", "-c", "user.email=test@example.com")

# Step 2 of the README: the copy's own fields, of the types the example does not show.
FASTAPI_TABLE_IMPORTS = (
    "from sqlalchemy import JSON, BigInteger, Column, Integer, String, Table, UniqueConstraint, Uuid\n",
    "from sqlalchemy import (\n"
    "    JSON, BigInteger, Column, Integer, Numeric, String, Table, Text, UniqueConstraint, Uuid,\n"
    ")\n",
)
FASTAPI_TABLE_COLUMNS = (
    '    Column("updated_at", UTCDateTime, nullable=False),\n    UniqueConstraint("owner_id", "sku"),\n)',
    '    Column("updated_at", UTCDateTime, nullable=False),\n'
    '    Column("stage", String(20), nullable=False),\n'
    '    Column("total", Numeric(12, 2), nullable=False),\n'
    '    Column("note", Text, nullable=True),\n'
    '    Column("lines", JSON().with_variant(JSONB(), "postgresql"), nullable=False),\n'
    '    Column("placed_at", UTCDateTime, nullable=True),\n'
    '    UniqueConstraint("owner_id", "sku"),\n'
    ")",
)
FASTAPI_MODEL_IMPORTS = (
    "from datetime import datetime\nfrom enum import StrEnum\nfrom typing import Annotated, Any, Final\n",
    "from datetime import datetime\nfrom decimal import Decimal\nfrom enum import StrEnum\n"
    "from typing import Annotated, Any, Final, Literal\n",
)
# After the last field of the copy's input model (its patch model's fields differ: this line is there once).
FASTAPI_MODEL_FIELDS = (
    '        default=None, description="When the order can be ordered, with a timezone offset; null: no date set"\n'
    "    )\n\n\n",
    '        default=None, description="When the order can be ordered, with a timezone offset; null: no date set"\n'
    "    )\n"
    '    stage: Literal["open", "paid"] = "open"\n'
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


# The variants these tests copy: each test is in its variant's xdist group, where the render is made once for every
# module (tests/test_render.py renders both) and copied here.
FASTAPI_ANSWERS = {"framework": "fastapi", "auth": "jwt"}
DJANGO_ANSWERS = {"framework": "django"}
# What installing and checking a render writes into it (its uv.lock is copier's: kept).
INSTALLED_AND_CHECKED = (".venv", ".git", ".mypy_cache", ".pytest_cache", ".ruff_cache", "__pycache__", ".coverage*")


def copy_of_render(projects: ProjectFactory, destination: Path, **answers: object) -> RenderedProject:
    """A copy of the session's render of `answers`, as copier wrote it: without what installing and checking it in
    other tests may have added (its venv, caches, bytecode, coverage data)."""
    rendered = projects.render(**answers)
    shutil.copytree(rendered.path, destination, ignore=shutil.ignore_patterns(*INSTALLED_AND_CHECKED))
    return RenderedProject(destination, rendered.answers)


@pytest.fixture
def fastapi_project(projects: ProjectFactory, tmp_path: Path) -> RenderedProject:
    """A fresh copy of a FastAPI render, committed, installed: this test edits it. `auth=jwt`, not the default
    `users`: its README's step 4 checks the new scopes with the development token (`python -m <package> token`),
    which a service that signs its own users in does not have."""
    project = copy_of_render(projects, tmp_path / "fastapi", **FASTAPI_ANSWERS)
    project.run("git", "init", "-q")
    project.run("git", "add", "-A")
    project.run(*GIT, "commit", "-q", "-m", "rendered")
    project.uv("sync", "--quiet", "--compile-bytecode")
    return project


@variant_group(FASTAPI_ANSWERS)
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

    [migration] = (package / "migrations" / "versions").glob("*_create_orders.py")  # the next revision after auth's
    text = migration.read_text()
    assert "from my_service.database import UTCDateTime" in text.replace(project.package, "my_service")
    assert "sa.Numeric(precision=12, scale=2)" in text
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
        and path not in (f"{src}/app.py", f"{src}/migrations/versions/{migration.name}")
    ]
    assert not outside, f"adding a resource changed files outside it: {outside}"
    numstat = project.run("git", "diff", "--numstat", "--", f"{src}/app.py").stdout.split()
    assert numstat[:2] == ["2", "0"], f"the registration is two added lines in app.py: {numstat}"


# --- Django ----------------------------------------------------------------------------------------------------------


def readme_section(readme: str, title: str) -> str:
    return readme.split(f"\n### {title}\n", 1)[1].split("\n## ", 1)[0]


def code_blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.DOTALL)


def git(project: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=True).stdout


# --- Django ----------------------------------------------------------------------------------------------------------

DJANGO_BOOKING_MODELS = """\"\"\"A stored booking: when it starts and whether it still holds.\"\"\"

from __future__ import annotations

from django.db import models

from ..api.resources import ResourceModel


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class Booking(ResourceModel):
    name = models.CharField(max_length=100)
    starts_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED)

    class Meta(ResourceModel.Meta):
        pass

    def __str__(self) -> str:
        return self.name
"""

DJANGO_BOOKING_SERIALIZERS = """\"\"\"Request and response shapes of bookings: a booking starts in the future.\"\"\"

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from rest_framework import serializers

from ..api.fields import AwareDateTimeField, EnumField
from ..api.resources import shown_fields
from ..api.serializers import StrictCharField, StrictInputSerializer
from .models import Booking, BookingStatus


def in_the_future(value: datetime) -> None:
    if value <= timezone.now():
        raise serializers.ValidationError("A booking starts in the future.")


class BookingInSerializer(StrictInputSerializer):
    name = StrictCharField(min_length=1, max_length=100)
    starts_at = AwareDateTimeField(validators=[in_the_future])

    class Meta:
        ref_name = "BookingIn"


class BookingPatchSerializer(StrictInputSerializer):
    name = StrictCharField(required=False, min_length=1, max_length=100)
    starts_at = AwareDateTimeField(required=False, validators=[in_the_future])

    class Meta:
        ref_name = "BookingPatch"


class BookingSerializer(serializers.ModelSerializer[Booking]):
    status = EnumField(BookingStatus, read_only=True)

    class Meta:
        model = Booking
        fields = shown_fields("name", "starts_at", "status")
        ref_name = "Booking"
"""

DJANGO_BOOKING_CANCEL = (
    "    rate_limits: ClassVar[tuple[RouteLimit, ...]] = WRITE_LIMIT\n",
    """    rate_limits: ClassVar[tuple[RouteLimit, ...]] = WRITE_LIMIT

    @extend_schema(
        summary="Cancel a booking",
        operation_id="cancel_booking",
        request=None,
        parameters=[ID],
        responses={200: BookingSerializer, **problem_responses(404, 409, 422, instance=ONE, details=DETAILS)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = self.get_queryset().filter(pk=self.get_object().pk)
        with transaction.atomic():
            cancelled = rows.exclude(status=BookingStatus.CANCELLED).update(
                status=BookingStatus.CANCELLED, row_version=F("row_version") + 1, updated_at=timezone.now()
            )
            self.written(self.object_id())
        if not cancelled:
            raise AlreadyCancelled
        booking = self.get_object()
        return Response(self.get_serializer(booking).data, headers={"ETag": booking.etag})
""",
)
DJANGO_BOOKING_VIEW_IMPORTS = (
    ("from typing import ClassVar\n", "from typing import Any, ClassVar\n"),
    (
        "from drf_spectacular.types import OpenApiTypes\n",
        "from django.db import transaction\nfrom django.db.models import F\nfrom django.utils import timezone\n"
        "from drf_spectacular.types import OpenApiTypes\n",
    ),
    (
        "extend_schema, extend_schema_view\n",
        "extend_schema, extend_schema_view\nfrom rest_framework.decorators import action\n"
        "from rest_framework.exceptions import APIException\nfrom rest_framework.request import Request\n"
        "from rest_framework.response import Response\n",
    ),
)
DJANGO_BOOKING_ERRORS = (
    ("from .models import Booking\n", "from .models import Booking, BookingStatus\n"),
    (
        "@extend_schema_view(\n",
        "class AlreadyCancelled(APIException):\n"
        "    status_code = 409\n"
        '    default_detail = "The booking is cancelled already"\n\n\n'
        "@extend_schema_view(\n",
    ),
)

DJANGO_BOOKING_TESTS = """\"\"\"Bookings: in the future, with a status, cancelled once.\"\"\"

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rest_framework.test import APIClient

from ..conftest import Caller

LATER = (datetime.now(UTC) + timedelta(days=3)).isoformat()


def test_a_booking_starts_in_the_future(client: APIClient, user: Caller) -> None:
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    late = {"name": "Late", "starts_at": past}
    refused = client.post("/api/v1/bookings", late, format="json", headers=user.headers())
    assert refused.status_code == 422
    assert [error["field"] for error in refused.json()["errors"]] == ["body.starts_at"]
    naive = client.post(
        "/api/v1/bookings", {"name": "Naive", "starts_at": LATER[:19]}, format="json", headers=user.headers()
    )
    assert naive.status_code == 422


def test_a_booking_is_cancelled_once(client: APIClient, user: Caller, other_user: Caller) -> None:
    table = {"name": "Table", "starts_at": LATER}
    created = client.post("/api/v1/bookings", table, format="json", headers=user.headers())
    assert (created.status_code, created.json()["status"]) == (201, "confirmed")
    cancel = f"/api/v1/bookings/{created.json()['id']}/cancel"
    assert client.post(cancel, headers=other_user.headers()).status_code == 404
    cancelled = client.post(cancel, headers=user.headers())
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    again = client.post(cancel, headers=user.headers())
    assert (again.status_code, again.json()["detail"]) == (409, "The booking is cancelled already")
"""


@pytest.fixture
def django_project(projects: ProjectFactory, tmp_path: Path) -> RenderedProject:
    project = copy_of_render(projects, tmp_path / "service", **DJANGO_ANSWERS)
    git(project.path, "init", "-q")
    git(project.path, "add", "-A")
    git(project.path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "rendered")
    # Bytecode compiled once, as `make install` does: the suite this test runs starts the service as a process many
    # times, and with PYTHONDONTWRITEBYTECODE (RenderedProject.env) each start would compile every import again.
    project.uv("sync", "--quiet", "--compile-bytecode")
    return project


def django_run_readme_block(project: RenderedProject, block: str) -> list[str]:
    """Each command of the block in turn (`a && b` split: bash's `-e` ignores a failure before `&&`); their output."""
    env = project.env(PATH=f"{Path(uv_binary()).parent}{os.pathsep}{os.environ['PATH']}")
    outputs = []
    for command in (part for line in block.splitlines() for part in line.split(" && ")):
        command = command.split("  #", 1)[0]
        result = subprocess.run(["bash", "-c", command], cwd=project.path, env=env, capture_output=True, text=True)
        assert result.returncode == 0, f"{command}\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
        outputs.append(result.stdout + result.stderr)
    return outputs


@variant_group(DJANGO_ANSWERS)
def test_django_grows_a_resource_as_the_readme_says(django_project: RenderedProject) -> None:
    """The default answers: `resource add bookings`, then a booking's own fields (a datetime in the future, a status
    enum) and action (cancel, 409 once cancelled), its migration, and the render's full `make check`."""
    project, package = django_project, django_project.package
    steps = readme_section((project.path / "README.md").read_text(), "Add a resource")
    add, checks = code_blocks(steps, "bash")

    django_run_readme_block(project, add.replace("  # --singular", "#"))
    app = project.path / "src" / package / "bookings"
    (app / "models.py").write_text(DJANGO_BOOKING_MODELS)
    (app / "serializers.py").write_text(DJANGO_BOOKING_SERIALIZERS)
    for old, new in (*DJANGO_BOOKING_VIEW_IMPORTS, *DJANGO_BOOKING_ERRORS, DJANGO_BOOKING_CANCEL):
        replace_once(app / "views.py", old, new)
    (project.path / "tests" / "bookings" / "test_booking_rules.py").write_text(DJANGO_BOOKING_TESTS)
    future = '"starts_at": "2999-01-01T09:00:00Z"'  # the generated tests' valid body gets the new required field
    replace_once(
        project.path / "tests" / "bookings" / "test_bookings.py", '{"name": "First"}', f'{{"name": "First", {future}}}'
    )
    for migration in (app / "migrations").glob("0*.py"):  # written again from the booking's own fields
        migration.unlink()
    outputs = django_run_readme_block(project, checks.replace("make check", "uv run ruff format . && make check"))
    assert any(re.search(r"\b\d{3,} passed\b", output) for output in outputs), outputs  # the whole suite ran

    assert (app / "migrations" / "0001_initial.py").is_file()
    changed = git(project.path, "status", "--porcelain", "--untracked-files=all").splitlines()
    modified = sorted(line[3:] for line in changed if not line.startswith("??"))
    added = [line[3:] for line in changed if line.startswith("??")]
    assert modified == [f"src/{package}/settings.py", f"src/{package}/urls.py"]
    assert all(path.startswith((f"src/{package}/bookings/", "tests/bookings/")) for path in added), added
    numstat = git(project.path, "diff", "--numstat").split()
    assert numstat == ["1", "0", f"src/{package}/settings.py", "1", "0", f"src/{package}/urls.py"]
    written = sum(len(path.read_text().splitlines()) for path in (app / "models.py", app / "serializers.py"))
    print(
        f"adding bookings (Django): {len(modified) + len(added)} files ({len(added)} new, {len(modified)} edited), "
        f"~{written + len(DJANGO_BOOKING_TESTS.splitlines()) + 40} lines written by hand"
    )
