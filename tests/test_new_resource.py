"""A render grows a second resource the way its README says, and nothing else needs an edit.

Both frameworks, on the default answers: render the project, run the README's "Add a resource" steps (`python -m
<package> resource add bookings`), give the new resource field types the example does not show, generate their
migration, then run the project's full checks. Only the new package, its tests, the registration lines and the
migrations may differ from the render.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ProjectFactory, RenderedProject, uv_binary, variant_group

pytestmark = pytest.mark.slow


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{path}: expected one {old!r}"
    path.write_text(text.replace(old, new))


# The variants these tests copy: each test is in its variant's xdist group, where the render is made once for every
# module (tests/test_render.py renders both) and copied here.
FASTAPI_ANSWERS = {"framework": "fastapi"}
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
    """A fresh copy of a FastAPI render of the default answers, committed, installed: this test edits it."""
    project = copy_of_render(projects, tmp_path / "fastapi", **FASTAPI_ANSWERS)
    git(project.path, "init", "-q")
    git(project.path, "add", "-A")
    git(project.path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "rendered")
    project.uv("sync", "--quiet", "--compile-bytecode")  # bytecode once, as `make install` does (see django_project)
    return project


FASTAPI_BOOKING_TABLE = """\"\"\"The `bookings` table: a day, a status, a deposit and labels besides the name.\"\"\"

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, Integer, Numeric, String, Table, Uuid
from sqlalchemy.dialects.postgresql import JSONB

from ..database import UTCDateTime, metadata

bookings = Table(
    "bookings",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("deposit", Numeric(12, 2), nullable=False),
    Column("labels", JSON().with_variant(JSONB(), "postgresql"), nullable=False),
    Column("owner_id", String(255), nullable=True, index=True),
    Column("row_version", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False, index=True),
    Column("updated_at", UTCDateTime, nullable=False),
)
"""

# The booking's own fields, in the input model and (as optional changes) in the patch model.
FASTAPI_BOOKING_FIELDS = (
    '    name: Name = Field(description="Display name, 1-100 characters")\n',
    '    name: Name = Field(description="Display name, 1-100 characters")\n'
    "    starts_on: Date\n"
    "    status: JsonEnum[BookingStatus] = BookingStatus.HELD\n"
    "    deposit: Money\n"
    "    labels: list[str] = Field(default_factory=list, max_length=10)\n",
)
FASTAPI_BOOKING_PATCH = (
    '    name: Name = Field(default=NOT_SENT, description="Display name, 1-100 characters")\n',
    '    name: Name = Field(default=NOT_SENT, description="Display name, 1-100 characters")\n'
    "    starts_on: Date = NOT_SENT\n"
    "    status: JsonEnum[BookingStatus] = NOT_SENT\n"
    "    deposit: Money = NOT_SENT\n"
    "    labels: list[str] = Field(default=NOT_SENT, max_length=10)\n",
)
FASTAPI_BOOKING_IMPORTS = (
    "from ..api import crud\n",
    "from ..api import crud\nfrom ..api.fields import Date, JsonEnum, Money\n\n\n"
    "class BookingStatus(StrEnum):\n"
    '    HELD = "held"\n'
    '    CONFIRMED = "confirmed"\n',
)

FASTAPI_BOOKING_TESTS = """\"\"\"Bookings: a day, a status, a deposit and labels round-trip as JSON.\"\"\"

from __future__ import annotations

from fastapi.testclient import TestClient

from ..callers import ApiCaller

BOOKING = {"name": "Table", "starts_on": "2030-01-31", "deposit": "12.50", "labels": ["window"]}


def test_a_booking_round_trips_as_json(client: TestClient, user: ApiCaller) -> None:
    created = client.post("/api/v1/bookings", json=BOOKING, headers=user.headers())
    assert created.status_code == 201, created.text
    assert {key: created.json()[key] for key in (*BOOKING, "status")} == {**BOOKING, "status": "held"}
    one = f"/api/v1/bookings/{created.json()['id']}"
    patched = client.patch(one, json={"status": "confirmed", "deposit": "20.00"}, headers=user.headers())
    assert (patched.json()["status"], patched.json()["deposit"]) == ("confirmed", "20.00")
    assert client.get(one, headers=user.headers()).json() == patched.json()


def test_money_is_a_string_and_a_status_one_of_its_values(client: TestClient, user: ApiCaller) -> None:
    for field, value in (("deposit", 12.5), ("status", "lost"), ("starts_on", "31/01/2030")):
        refused = client.post("/api/v1/bookings", json={**BOOKING, field: value}, headers=user.headers())
        assert refused.status_code == 422, (field, refused.text)
        assert [error["field"] for error in refused.json()["errors"]] == [f"body.{field}"]
"""


@variant_group(FASTAPI_ANSWERS)
def test_fastapi_grows_a_resource_as_the_readme_says(fastapi_project: RenderedProject) -> None:
    """The default answers: `resource add bookings`, then a booking's own fields of types the example does not show
    (a date, an enum, money, a JSON list), their migration, and the render's full `make check`."""
    project, package = fastapi_project, fastapi_project.package
    steps = readme_section((project.path / "README.md").read_text(), "Add a resource")
    add, checks = code_blocks(steps, "bash")

    run_readme_block(project, add.replace("  # --singular", "#"))
    resource = project.path / "src" / package / "bookings"
    versions = project.path / "src" / package / "migrations" / "versions"
    [created] = versions.glob("*_create_bookings.py")
    (resource / "table.py").write_text(FASTAPI_BOOKING_TABLE)
    replace_once(
        resource / "models.py",
        "from typing import Annotated, Any\n",
        "from enum import StrEnum\nfrom typing import Annotated, Any\n",
    )
    for old, new in (FASTAPI_BOOKING_IMPORTS, FASTAPI_BOOKING_FIELDS, FASTAPI_BOOKING_PATCH):
        replace_once(resource / "models.py", old, new)
    (project.path / "tests" / "bookings" / "test_booking_fields.py").write_text(FASTAPI_BOOKING_TESTS)
    body = '{"name": "First", "starts_on": "2030-01-31", "deposit": "1.00"}'  # the new required fields
    replace_once(project.path / "tests" / "bookings" / "test_bookings.py", '{"name": "First"}', body)
    outputs = run_readme_block(project, checks.replace("make check", "uv run ruff format . && make check"))
    assert any(re.search(r"\b\d{3,} passed\b", output) for output in outputs), outputs  # the whole suite ran

    [fields] = versions.glob("*_booking_fields.py")
    text = fields.read_text()
    assert "sa.Numeric(precision=12, scale=2)" in text
    assert "starts_on" in text
    changed = git(project.path, "status", "--porcelain", "--untracked-files=all").splitlines()
    modified = sorted(line[3:] for line in changed if not line.startswith("??"))
    added = [line[3:] for line in changed if line.startswith("??")]
    src = f"src/{package}"
    assert modified == [f"{src}/app.py"]
    migrations = (f"{src}/migrations/versions/{created.name}", f"{src}/migrations/versions/{fields.name}")
    outside = [path for path in added if not path.startswith((f"{src}/bookings/", "tests/bookings/"))]
    assert sorted(outside) == sorted(migrations), outside
    numstat = git(project.path, "diff", "--numstat", "--", f"{src}/app.py").split()
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


def run_readme_block(project: RenderedProject, block: str) -> list[str]:
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

    run_readme_block(project, add.replace("  # --singular", "#"))
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
    outputs = run_readme_block(project, checks.replace("make check", "uv run ruff format . && make check"))
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
