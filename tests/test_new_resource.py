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

DJANGO_ORDER_MODELS = '''"""A stored order."""

from __future__ import annotations

import uuid

from django.db import models


class OrderStatus(models.TextChoices):
    PENDING = "pending"
    PAID = "paid"
    SHIPPED = "shipped"


class Order(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.CharField(max_length=100)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    note = models.TextField(blank=True, default="")
    lines = models.JSONField(default=list)
    placed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return self.customer
'''

DJANGO_ORDER_SERIALIZERS = '''"""Request and response shapes of an order. Strict: unknown fields are refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from ..api.serializers import StrictCharField, StrictInputSerializer
from .models import Order, OrderStatus


class OrderInSerializer(StrictInputSerializer):
    """What a client sends to place an order."""

    customer = StrictCharField(min_length=1, max_length=100, help_text="Who ordered")
    total = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal(0))
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False, default=OrderStatus.PENDING)
    note = StrictCharField(required=False, allow_blank=True, trim_whitespace=False, default="")
    lines = serializers.ListField(child=StrictCharField(max_length=64), required=False, max_length=50)
    placed_at = serializers.DateTimeField()

    class Meta:
        ref_name = "OrderIn"

    def to_internal_value(self, data: Any) -> Any:
        validated = super().to_internal_value(data)
        validated.setdefault("lines", [])
        return validated


class OrderSerializer(serializers.ModelSerializer[Order]):
    """An order as stored and returned."""

    lines = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Order
        fields = ("id", "customer", "total", "status", "note", "lines", "placed_at", "created_at")
        ref_name = "Order"
'''

DJANGO_ORDER_VIEWS = '''"""`/api/v1/orders`: place, list, read and cancel orders."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from ..api.base import ServiceViewSet
from ..api.errors import RequestValidationError, invalid
from ..api.schema import problem_responses
from ..rates import RouteLimit
from .limits import WRITE_LIMIT
from .models import Order
from .scopes import ORDER_SCOPES
from .serializers import OrderInSerializer, OrderSerializer

ORDER_EXAMPLES = [
    OpenApiExample(
        "minimal",
        summary="Only the required fields",
        value={"customer": "Ada", "total": "12.50", "placed_at": "2026-01-02T03:04:05Z"},
        request_only=True,
    ),
    OpenApiExample(
        "complete",
        summary="Every field",
        value={
            "customer": "Grace",
            "total": "99.90",
            "status": "paid",
            "note": "Leave at the door",
            "lines": ["KETTLE-1L-SS", "CUP-2"],
            "placed_at": "2026-01-02T03:04:05Z",
        },
        request_only=True,
    ),
]
ORDER_ID = OpenApiParameter("order_id", OpenApiTypes.UUID, OpenApiParameter.PATH)
_ONE = "/api/v1/orders/3fa85f64-5717-4562-b3fc-2c963f66afa6"


@extend_schema_view(
    list=extend_schema(
        summary="List orders",
        operation_id="list_orders",
        responses={
            200: OrderSerializer(many=True),
            **problem_responses(422, instance="/api/v1/orders", field="query.limit"),
        },
    ),
    create=extend_schema(
        summary="Place an order",
        operation_id="create_order",
        request=OrderInSerializer,
        responses={
            201: OrderSerializer,
            **problem_responses(400, 413, 415, 422, instance="/api/v1/orders", field="body.customer"),
        },
        examples=ORDER_EXAMPLES,
    ),
    retrieve=extend_schema(
        summary="Read an order",
        operation_id="get_order",
        parameters=[ORDER_ID],
        responses={200: OrderSerializer, **problem_responses(404, 422, instance=_ONE, field="path.order_id")},
    ),
    destroy=extend_schema(
        summary="Cancel an order",
        operation_id="delete_order",
        parameters=[ORDER_ID],
        responses={204: None, **problem_responses(404, 422, instance=_ONE, field="path.order_id")},
    ),
)
@extend_schema(tags=["orders"])
class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, ServiceViewSet):
    queryset = Order.objects.all()
    serializer_class = OrderSerializer
    lookup_url_kwarg = "order_id"
    lookup_value_converter = "str"  # a malformed id is a 422 from get_object, not a 404
    required_scopes = ORDER_SCOPES
    rate_limits: ClassVar[tuple[RouteLimit, ...]] = WRITE_LIMIT

    def get_object(self) -> Order:
        order_id: str = self.kwargs[self.lookup_url_kwarg]
        try:
            key = UUID(order_id)
        except ValueError:
            error = {"field": "path.order_id", "message": "Input should be a valid UUID"}
            raise RequestValidationError([error]) from None
        order = Order.objects.filter(pk=key).first()
        if order is None:
            raise NotFound(f"Order {key} does not exist")
        return order

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = OrderInSerializer(data=request.data)
        if not serializer.is_valid():
            raise invalid("body", serializer.errors)
        order = Order.objects.create(**serializer.validated_data)
        location = f"{request.path.rstrip('/')}/{order.id}"
        return Response(OrderSerializer(order).data, status=201, headers={"Location": location})
'''

DJANGO_ORDER_ADMIN = '''"""Orders in the Django admin (/admin/, when ADMIN_ENABLED)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin

from .models import Order

if TYPE_CHECKING:
    OrderModelAdmin = admin.ModelAdmin[Order]
else:  # ModelAdmin is generic in django-stubs only
    OrderModelAdmin = admin.ModelAdmin


@admin.register(Order)
class OrderAdmin(OrderModelAdmin):
    list_display = ("customer", "total", "status", "placed_at")
    search_fields = ("customer", "note")
    readonly_fields = ("id", "created_at")
'''

DJANGO_ORDER_TESTS = '''"""Orders through DRF's APIClient."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from my_service.orders.models import Order

ORDER = {"customer": "Ada", "total": "12.50", "lines": ["CUP-2"], "placed_at": "2026-01-02T03:04:05Z"}


@pytest.mark.django_db
def test_an_order_is_placed_read_listed_and_cancelled(api_client: APIClient) -> None:
    created = api_client.post("/api/v1/orders", ORDER, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["total"], body["status"], body["note"], body["lines"]) == ("12.50", "pending", "", ["CUP-2"])
    assert created["Location"] == f"/api/v1/orders/{body['id']}"
    assert api_client.get(f"/api/v1/orders/{body['id']}").json() == body
    assert api_client.get("/api/v1/orders").json()["total"] == 1
    assert api_client.delete(f"/api/v1/orders/{body['id']}").status_code == 204
    assert api_client.get(f"/api/v1/orders/{body['id']}").status_code == 404


@pytest.mark.django_db
def test_a_bad_order_is_refused_field_by_field(api_client: APIClient) -> None:
    refusals: list[tuple[dict[str, object], str]] = [
        ({"status": "lost"}, "body.status"),
        ({"extra": 1}, "body.extra"),
        ({"total": -1}, "body.total"),
    ]
    for change, field in refusals:
        response = api_client.post("/api/v1/orders", {**ORDER, **change}, format="json")
        assert response.status_code == 422, change
        assert [error["field"] for error in response.json()["errors"]] == [field]
    assert api_client.get("/api/v1/orders/not-a-uuid").status_code == 422


def test_an_order_reads_as_its_customer() -> None:
    assert str(Order(customer="Ada")) == "Ada"
'''


def django_rename(text: str) -> str:
    for old, new in (("ITEM", "ORDER"), ("Items", "Orders"), ("items", "orders"), ("Item", "Order"), ("item", "order")):
        text = text.replace(old, new)
    return text


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
        result = subprocess.run(["bash", "-c", command], cwd=project.path, env=env, capture_output=True, text=True)
        assert result.returncode == 0, f"{command}\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
        outputs.append(result.stdout + result.stderr)
    return outputs


def django_register(project: RenderedProject, registration: str) -> None:
    """The README's registration lines, each added after the example's own line in the file it names."""
    lines = registration.splitlines()
    for comment, line in zip(lines[::2], lines[1::2], strict=True):
        target = project.path / "src" / project.package / comment.removeprefix("# ").split(",")[0]
        anchor = django_rename(line).replace("orders", "items")
        text = target.read_text()
        assert text.count(anchor + "\n") == 1, (target, anchor)
        target.write_text(text.replace(anchor + "\n", f"{anchor}\n{line}\n"))


@variant_group(DJANGO_ANSWERS)
def test_django_grows_a_resource_as_the_readme_says(django_project: RenderedProject) -> None:
    project, package = django_project, django_project.package
    steps = readme_section((project.path / "README.md").read_text(), "Add a resource")
    copy, checks = code_blocks(steps, "bash")
    [registration] = code_blocks(steps, "python")

    django_run_readme_block(project, copy)
    app = project.path / "src" / package / "orders"
    for module in app.glob("*.py"):  # rename Item to Order, items to orders
        module.write_text(django_rename(module.read_text()))
    for name, source in {
        "models.py": DJANGO_ORDER_MODELS,
        "serializers.py": DJANGO_ORDER_SERIALIZERS,
        "views.py": DJANGO_ORDER_VIEWS,
        "admin.py": DJANGO_ORDER_ADMIN,
    }.items():
        (app / name).write_text(source)
    (project.path / "tests" / "orders" / "test_orders.py").write_text(DJANGO_ORDER_TESTS.replace("my_service", package))
    django_register(project, registration)
    outputs = django_run_readme_block(project, checks)
    assert any(re.search(r"\b\d{3,} passed\b", output) for output in outputs), outputs  # the whole suite ran

    assert (app / "migrations" / "0001_initial.py").is_file()
    changed = git(project.path, "status", "--porcelain", "--untracked-files=all").splitlines()
    modified = sorted(line[3:] for line in changed if not line.startswith("??"))
    added = [line[3:] for line in changed if line.startswith("??")]
    assert modified == [f"src/{package}/settings.py", f"src/{package}/urls.py"]
    assert all(path.startswith((f"src/{package}/orders/", "tests/orders/")) for path in added), added
    numstat = git(project.path, "diff", "--numstat").split()
    assert numstat == ["1", "0", f"src/{package}/settings.py", "1", "0", f"src/{package}/urls.py"]
    print(f"adding a resource (Django): {len(modified) + len(added)} files ({len(added)} new, {len(modified)} edited)")
