"""A render grown as its README says, by issue 51's bound and then by a second resource, the same in both frameworks.

The bound (issue 51: "a team's domain owns its work"): `python -m <package> resource add bookings --audit --grant
staff,customer` (the README's "Add a resource" block: audit on, `staff` granted `bookings:admin`), then what a team
writes by hand in `bookings/` only: a `starts_at`, the confirmation email (the README's `tasks.py` and two templates),
the `bookings.confirmed` event (the README's `events.py`), and a create that records the event and defers the email in
the booking's transaction; its tests in `tests/bookings/` (the email really sent by the job, the audit trail). That
state is tagged `bound`; tests/test_new_resource.py counts every source line added by hand (`git diff added bound`).

Beyond the bound, for the README's custom-action recipe and the parity test: `resource add parties --singular party
--audit`, with a `starts_at` that must be in the future, a `status` enum only a custom action changes (`POST
/api/v1/parties/{id}/cancel`, a 409 once cancelled). Then the migrations (the README's checks block, without `make
check`). The growth tests (tests/test_new_resource.py) run the render's `make check` on it; the parity test
(tests/test_api_parity.py) compares the two frameworks' bookings and parties. Both use the one grown project of each
framework (`Growths`, the `grown` fixture): growing costs a render, an install and the edits.

Each project is a git repository with three tags: `rendered` (as copier wrote it), `added` (after `resource add
bookings`) and `bound` (after the bookings' hand edits, formatted by `ruff format` as an editor would save them), so
that `git diff added bound` is what the bound took by hand.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

from .conftest import ProjectFactory, RenderedProject, uv_binary

FASTAPI_ANSWERS = {"framework": "fastapi"}
DJANGO_ANSWERS = {"framework": "django"}
ANSWERS = {"fastapi": FASTAPI_ANSWERS, "django": DJANGO_ANSWERS}
# What installing and checking a render writes into it (its uv.lock is copier's: kept).
INSTALLED_AND_CHECKED = (".venv", ".git", ".mypy_cache", ".pytest_cache", ".ruff_cache", "__pycache__", ".coverage*")
# A valid `starts_at` in the documented examples and the generated tests' body: far enough ahead to stay valid.
FUTURE = "2999-01-01T09:00:00Z"
ALREADY_CANCELLED = "The booking is cancelled already"
IN_THE_FUTURE = "A booking starts in the future."
# The line `resource add --audit` writes into the resource's declaration.
AUDITED = "    audited = True  # every create, update, delete and restore is in the audit trail"
# The second resource, beyond the bound: its command, and its names where the extras' texts say bookings.
PARTIES = ("parties", "--singular", "party", "--audit")
RENAMED = (("Bookings", "Parties"), ("bookings", "parties"), ("BOOKINGS", "PARTIES"))
RENAMED += (("Booking", "Party"), ("booking", "party"), ("BOOKING", "PARTY"))

Edit = tuple[str, str, str]
"""(path in the project, the text found once, what replaces it); `{package}` in the path is the package's name."""


# --- beyond the bound: a custom action, written about bookings, applied to parties (`renamed`) ---

# --- FastAPI ----------------------------------------------------------------------------------------------------------

FASTAPI_EDITS: tuple[Edit, ...] = (
    (
        "src/{package}/bookings/table.py",
        "from ..database import UTCDateTime, metadata\n",
        "from ..database import UTCDateTime, metadata, string_enum\nfrom .models import BookingStatus\n",
    ),
    (
        "src/{package}/bookings/table.py",
        '    Column("name", String(100), nullable=False),\n',
        '    Column("name", String(100), nullable=False),\n'
        '    Column("starts_at", UTCDateTime, nullable=False),\n'
        '    Column("status", string_enum(BookingStatus), nullable=False, default=BookingStatus.CONFIRMED),\n',
    ),
    ("src/{package}/bookings/models.py", "from datetime import datetime\n", "from datetime import UTC, datetime\n"),
    ("src/{package}/bookings/models.py", "from typing import", "from enum import StrEnum\nfrom typing import"),
    (
        "src/{package}/bookings/models.py",
        "from pydantic import BaseModel,",
        "from pydantic import AfterValidator, BaseModel,",
    ),
    (
        "src/{package}/bookings/models.py",
        "StringConstraints\n",
        "StringConstraints\nfrom pydantic_core import PydanticCustomError\n",
    ),
    (
        "src/{package}/bookings/models.py",
        "from ..api import crud\n",
        "from ..api import crud\nfrom ..api.fields import AwareDatetime\n",
    ),
    (
        "src/{package}/bookings/models.py",
        "\n\n\nclass BookingIn(BaseModel):\n",
        f"""


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


def in_the_future(value: datetime) -> datetime:
    if value <= datetime.now(UTC):
        raise PydanticCustomError("in_the_future", "{IN_THE_FUTURE}")
    return value


StartsAt = Annotated[AwareDatetime, AfterValidator(in_the_future)]


class BookingIn(BaseModel):
""",
    ),
    (
        "src/{package}/bookings/models.py",
        '    name: Name = Field(description="Display name, 1-100 characters")\n',
        '    name: Name = Field(description="Display name, 1-100 characters")\n    starts_at: StartsAt\n',
    ),
    (
        "src/{package}/bookings/models.py",
        '    name: Name = Field(default=NOT_SENT, description="Display name, 1-100 characters")\n',
        '    name: Name = Field(default=NOT_SENT, description="Display name, 1-100 characters")\n'
        "    starts_at: StartsAt = NOT_SENT\n",
    ),
    (
        "src/{package}/bookings/models.py",
        "    id: UUID\n",
        "    id: UUID\n"
        "    starts_at: datetime  # as stored: a booking that has begun is still read\n"
        "    status: BookingStatus\n",
    ),
    (
        "src/{package}/bookings/repository.py",
        "from ..api.crud import Repository\nfrom .models import Booking\n",
        "from uuid import UUID\n\nfrom ..api.crud import Repository\nfrom .models import Booking, BookingStatus\n",
    ),
    (
        "src/{package}/bookings/repository.py",
        "\n\nclass BookingRepository(",
        """

class AlreadyCancelledError(Exception):
    \"\"\"The booking was cancelled before (409).\"\"\"


class BookingRepository(""",
    ),
    (
        "src/{package}/bookings/repository.py",
        "    admin_scope = BOOKINGS_ADMIN\n",
        """    admin_scope = BOOKINGS_ADMIN

    async def cancel(self, booking_id: UUID) -> Booking | None:
        \"\"\"The booking, cancelled (None: the caller sees no such booking); once, however many requests race for
        it: every other one gets `AlreadyCancelledError`.\"\"\"
        cancelled = await self.update(
            booking_id, {"status": BookingStatus.CANCELLED}, where=[bookings.c.status != BookingStatus.CANCELLED]
        )
        if cancelled is None and await self.get(booking_id) is not None:
            raise AlreadyCancelledError
        return cancelled
""",
    ),
    (
        "src/{package}/bookings/routes.py",
        '"value": {"name": "First"}},\n    "renamed"',
        f'"value": {{"name": "First", "starts_at": "{FUTURE}"}}}},\n    "renamed"',
    ),
    (
        "src/{package}/bookings/routes.py",
        '"value": {"name": "Second"}},\n',
        f'"value": {{"name": "Second", "starts_at": "{FUTURE}"}}}},\n',
    ),
    (
        "src/{package}/bookings/routes.py",
        "from .models import Booking, BookingIn, BookingPage, BookingPatch\n",
        "from .models import Booking, BookingIn, BookingPage, BookingPatch\n"
        "from .repository import AlreadyCancelledError\n",
    ),
    (
        "src/{package}/bookings/routes.py",
        "_DELETE_ERRORS = _errors(404, 412, 422, **_INVALID_ID)\n",
        f"""_DELETE_ERRORS = _errors(404, 412, 422, **_INVALID_ID)
ALREADY_CANCELLED = "{ALREADY_CANCELLED}"
_CANCEL_ERRORS = _errors(404, 409, 422, **_INVALID_ID, details={{409: ALREADY_CANCELLED}})
""",
    ),
    (
        "src/{package}/bookings/routes.py",
        "    if not deleted:\n        raise _not_found(booking_id)\n",
        """    if not deleted:
        raise _not_found(booking_id)


@router.post(
    "/{booking_id}/cancel",
    summary="Cancel a booking",
    responses=_with_etag(_CANCEL_ERRORS, status.HTTP_200_OK),
    dependencies=[*WRITE_BOOKINGS, *WRITE_LIMIT],
)
async def cancel_booking(booking_id: UUID, repository: BookingRepositoryDep, response: Response) -> Booking:
    try:
        cancelled = await repository.cancel(booking_id)
    except AlreadyCancelledError:
        raise HTTPException(status.HTTP_409_CONFLICT, ALREADY_CANCELLED) from None
    if cancelled is None:
        raise _not_found(booking_id)
    response.headers["ETag"] = cancelled.etag
    return cancelled
""",
    ),
    # The generated tests' valid body gets the new required field.
    ("tests/bookings/test_bookings.py", '{"name": "First"}', f'{{"name": "First", "starts_at": "{FUTURE}"}}'),
)

FASTAPI_BOOKING_TESTS = f"""\"\"\"Bookings: in the future, with a status, cancelled once.\"\"\"

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from ..fixtures import Caller

LATER = (datetime.now(UTC) + timedelta(days=3)).isoformat()


def test_a_booking_starts_in_the_future(client: TestClient, user: Caller) -> None:
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    late = {{"name": "Late", "starts_at": past}}
    refused = client.post("/api/v1/bookings", json=late, headers=user.headers())
    assert (refused.status_code, refused.headers["content-type"]) == (422, "application/problem+json")
    assert refused.json()["errors"] == [{{"field": "body.starts_at", "message": "{IN_THE_FUTURE}"}}]
    naive = client.post("/api/v1/bookings", json={{"name": "Naive", "starts_at": LATER[:19]}}, headers=user.headers())
    assert naive.status_code == 422


def test_a_booking_is_cancelled_once(client: TestClient, user: Caller, other_user: Caller, admin: Caller) -> None:
    table = {{"name": "Table", "starts_at": LATER}}
    created = client.post("/api/v1/bookings", json=table, headers=user.headers())
    assert (created.status_code, created.json()["status"]) == (201, "confirmed")
    cancel = f"/api/v1/bookings/{{created.json()['id']}}/cancel"
    assert client.post(cancel, headers=other_user.headers()).status_code == 404
    cancelled = client.post(cancel, headers=user.headers())
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    again = client.post(cancel, headers=user.headers())
    assert (again.status_code, again.headers["content-type"]) == (409, "application/problem+json")
    assert again.json()["detail"] == "{ALREADY_CANCELLED}"
    filters = {{"subject_type": "bookings", "subject": created.json()["id"]}}
    trail = client.get("/api/v1/audit-events", params=filters, headers=admin.headers()).json()["items"]
    changes = [(event["kind"], event["actor"], event["details"]["fields"]) for event in trail]
    assert changes == [("update", user.id, ["status"]), ("create", user.id, ["name", "starts_at"])]
"""


# --- Django -----------------------------------------------------------------------------------------------------------

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
    status = models.CharField(max_length=32, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED)

    class Meta(ResourceModel.Meta):
        # The resource's name in its events, its audit trail and its cache, not Django's guess.
        verbose_name_plural = "bookings"

    def __str__(self) -> str:
        return self.name
"""

DJANGO_BOOKING_SERIALIZERS = f"""\"\"\"Request and response shapes of bookings: a booking starts in the future.\"\"\"

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
        raise serializers.ValidationError("{IN_THE_FUTURE}")


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

DJANGO_EDITS: tuple[Edit, ...] = (
    ("src/{package}/bookings/views.py", "from typing import ClassVar\n", "from typing import Any, ClassVar\n"),
    (
        "src/{package}/bookings/views.py",
        "from drf_spectacular.types import OpenApiTypes\n",
        "from django.db import transaction\nfrom django.db.models import F\nfrom django.utils import timezone\n"
        "from drf_spectacular.types import OpenApiTypes\n",
    ),
    (
        "src/{package}/bookings/views.py",
        "extend_schema, extend_schema_view\n",
        "extend_schema, extend_schema_view\nfrom rest_framework.decorators import action\n"
        "from rest_framework.exceptions import APIException\nfrom rest_framework.request import Request\n"
        "from rest_framework.response import Response\n",
    ),
    (
        "src/{package}/bookings/views.py",
        "from .models import Booking\n",
        "from .models import Booking, BookingStatus\n",
    ),
    (
        "src/{package}/bookings/views.py",
        'value={"name": "First"}, request_only=True',
        f'value={{"name": "First", "starts_at": "{FUTURE}"}}, request_only=True',
    ),
    (
        "src/{package}/bookings/views.py",
        'value={"name": "Second"}, request_only=True',
        f'value={{"name": "Second", "starts_at": "{FUTURE}"}}, request_only=True',
    ),
    (
        "src/{package}/bookings/views.py",
        "@extend_schema_view(\n",
        f'ALREADY_CANCELLED = "{ALREADY_CANCELLED}"\n'
        "CANCEL_DETAILS = {**DETAILS, 409: ALREADY_CANCELLED}\n\n\n"
        "class AlreadyCancelled(APIException):\n"
        "    status_code = 409\n"
        "    default_detail = ALREADY_CANCELLED\n\n\n"
        "@extend_schema_view(\n",
    ),
    (
        "src/{package}/bookings/views.py",
        f"{AUDITED}\n",
        AUDITED
        + """

    @extend_schema(
        summary="Cancel a booking",
        operation_id="cancel_booking",
        request=None,
        parameters=[ID],
        responses={
            200: BookingSerializer,
            **problem_responses(404, 409, 422, instance=ONE, field="path.booking_id", details=CANCEL_DETAILS),
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = self.get_queryset().filter(pk=self.get_object().pk)
        with transaction.atomic():
            cancelled = rows.exclude(status=BookingStatus.CANCELLED).update(
                status=BookingStatus.CANCELLED, row_version=F("row_version") + 1, updated_at=timezone.now()
            )
        if not cancelled:
            raise AlreadyCancelled
        booking = self.get_object()
        return Response(self.get_serializer(booking).data, headers={"ETag": booking.etag})
""",
    ),
    (
        "tests/bookings/test_bookings.py",
        '{"name": "First"}',
        f'{{"name": "First", "starts_at": "{FUTURE}"}}',
    ),
)

DJANGO_BOOKING_TESTS = f"""\"\"\"Bookings: in the future, with a status, cancelled once.\"\"\"

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rest_framework.test import APIClient

from ..fixtures import Caller

LATER = (datetime.now(UTC) + timedelta(days=3)).isoformat()


def test_a_booking_starts_in_the_future(client: APIClient, user: Caller) -> None:
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    late = {{"name": "Late", "starts_at": past}}
    refused = client.post("/api/v1/bookings", late, format="json", headers=user.headers())
    assert (refused.status_code, refused.headers["content-type"]) == (422, "application/problem+json")
    assert refused.json()["errors"] == [{{"field": "body.starts_at", "message": "{IN_THE_FUTURE}"}}]
    naive = client.post(
        "/api/v1/bookings", {{"name": "Naive", "starts_at": LATER[:19]}}, format="json", headers=user.headers()
    )
    assert naive.status_code == 422


def test_a_booking_is_cancelled_once(client: APIClient, user: Caller, other_user: Caller, admin: Caller) -> None:
    table = {{"name": "Table", "starts_at": LATER}}
    created = client.post("/api/v1/bookings", table, format="json", headers=user.headers())
    assert (created.status_code, created.json()["status"]) == (201, "confirmed")
    cancel = f"/api/v1/bookings/{{created.json()['id']}}/cancel"
    assert client.post(cancel, headers=other_user.headers()).status_code == 404
    cancelled = client.post(cancel, headers=user.headers())
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    again = client.post(cancel, headers=user.headers())
    assert (again.status_code, again.headers["content-type"]) == (409, "application/problem+json")
    assert again.json()["detail"] == "{ALREADY_CANCELLED}"
    filters = {{"subject_type": "bookings", "subject": created.json()["id"]}}
    trail = client.get("/api/v1/audit-events", filters, headers=admin.headers()).json()["items"]
    changes = [(event["kind"], event["actor"], event["details"]["fields"]) for event in trail]
    assert changes == [("update", user.id, ["status"]), ("create", user.id, ["name", "starts_at"])]
"""

# Written whole by hand (path in the project: text), after the edits.
WRITTEN: dict[str, dict[str, str]] = {
    "fastapi": {"tests/bookings/test_booking_rules.py": FASTAPI_BOOKING_TESTS},
    "django": {
        "src/{package}/bookings/models.py": DJANGO_BOOKING_MODELS,
        "src/{package}/bookings/serializers.py": DJANGO_BOOKING_SERIALIZERS,
        "tests/bookings/test_booking_rules.py": DJANGO_BOOKING_TESTS,
    },
}
# The custom action's write is audited: in Django by the README's one line in the action's transaction (FastAPI's goes
# through the repository's `update`, audited with no line of its own).
CANCELLING = (
    '                status=BookingStatus.CANCELLED, row_version=F("row_version") + 1, updated_at=timezone.now()\n'
    "            )\n"
)
EDITS = {
    "fastapi": FASTAPI_EDITS,
    "django": (
        *DJANGO_EDITS,
        (
            "src/{package}/bookings/views.py",
            CANCELLING,
            CANCELLING
            + '            if cancelled:\n                self.record_change("update", self.object_id(), ["status"])\n',
        ),
    ),
}
"""The extras beyond the bound, written about bookings and applied to parties (`renamed`)."""


def renamed(text: str) -> str:
    for old, new in RENAMED:
        text = text.replace(old, new)
    return text


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{path}: expected one {old!r}"
    path.write_text(text.replace(old, new))


def edit_parties(project: Path, framework: str, package: str) -> None:
    """Beyond the bound, after `resource add parties`: a party's own fields, rule, custom action and tests."""
    for path, old, new in EDITS[framework]:
        replace_once(project / renamed(path).format(package=package), renamed(old), renamed(new))
    for path, text in WRITTEN[framework].items():
        (project / renamed(path).format(package=package)).write_text(renamed(text))


# --- the bound: bookings with a confirmation email, their own event, audit and grants -------------------------------

# The bookings' own time (the confirmation email says it) and the work a booking causes as it is made.
BOUND_EDITS: dict[str, tuple[Edit, ...]] = {
    "fastapi": (
        (
            "src/{package}/bookings/table.py",
            '    Column("name", String(100), nullable=False),\n',
            '    Column("name", String(100), nullable=False),\n    Column("starts_at", UTCDateTime, nullable=False),\n',
        ),
        (
            "src/{package}/bookings/models.py",
            "from ..api import crud\n",
            "from ..api import crud\nfrom ..api.fields import AwareDatetime\n",
        ),
        (
            "src/{package}/bookings/models.py",
            '    name: Name = Field(description="Display name, 1-100 characters")\n',
            '    name: Name = Field(description="Display name, 1-100 characters")\n'
            '    starts_at: AwareDatetime = Field(description="When the guests sit down")\n',
        ),
        (
            "src/{package}/bookings/models.py",
            '    name: Name = Field(default=NOT_SENT, description="Display name, 1-100 characters")\n',
            '    name: Name = Field(default=NOT_SENT, description="Display name, 1-100 characters")\n'
            '    starts_at: AwareDatetime = Field(default=NOT_SENT, description="When the guests sit down")\n',
        ),
        (
            "src/{package}/bookings/routes.py",
            '{"name": "First"}},\n    "renamed"',
            f'{{"name": "First", "starts_at": "{FUTURE}"}}}},\n    "renamed"',
        ),
        (
            "src/{package}/bookings/routes.py",
            '"value": {"name": "Second"}},\n',
            f'"value": {{"name": "Second", "starts_at": "{FUTURE}"}}}},\n',
        ),
        (
            "src/{package}/bookings/routes.py",
            "from ..api.crud import DuplicateError, StaleError\n",
            "from ..api.crud import DuplicateError, StaleError\nfrom ..api.dependencies import DatabaseSessionDep\n",
        ),
        (
            "src/{package}/bookings/routes.py",
            "from ..problems import problem_openapi_responses\n",
            "from ..jobs.queue import defer\nfrom ..problems import problem_openapi_responses\n",
        ),
        (
            "src/{package}/bookings/routes.py",
            "from .limits import WRITE_LIMIT\n",
            "from .events import BOOKING_CONFIRMED, BookingConfirmed\nfrom .limits import WRITE_LIMIT\n",
        ),
        (
            "src/{package}/bookings/routes.py",
            "from .scopes import READ_BOOKINGS, WRITE_BOOKINGS\n",
            "from .scopes import READ_BOOKINGS, WRITE_BOOKINGS\nfrom .tasks import send_confirmation\n",
        ),
        (
            "src/{package}/bookings/routes.py",
            "    request: Request, data: BookingBody, repository: BookingRepositoryDep, response: Response\n",
            "    request: Request, data: BookingBody, repository: BookingRepositoryDep, response: Response, "
            "session: DatabaseSessionDep\n",
        ),
        (  # a booking is confirmed as it is made: its event and its email commit with it, or neither does
            "src/{package}/bookings/routes.py",
            "        raise HTTPException(status.HTTP_409_CONFLICT, DUPLICATE) from None\n"
            '    response.headers["Location"] = str(request.url_for("get_booking"',
            "        raise HTTPException(status.HTTP_409_CONFLICT, DUPLICATE) from None\n"
            "    await repository.record_domain_event("
            "BOOKING_CONFIRMED, created.id, BookingConfirmed(name=created.name))\n"
            "    await defer(\n"
            "        session, send_confirmation, owner_id=created.owner_id, name=created.name, "
            "starts_at=str(created.starts_at)\n"
            "    )\n"
            '    response.headers["Location"] = str(request.url_for("get_booking"',
        ),
        # The generated tests' valid body gets the new required field.
        ("tests/bookings/test_bookings.py", '{"name": "First"}', f'{{"name": "First", "starts_at": "{FUTURE}"}}'),
    ),
    "django": (
        (
            "src/{package}/bookings/models.py",
            "    name = models.CharField(max_length=100)\n",
            "    name = models.CharField(max_length=100)\n    starts_at = models.DateTimeField()\n",
        ),
        (
            "src/{package}/bookings/serializers.py",
            "from ..api.resources import shown_fields\n",
            "from ..api.fields import AwareDateTimeField\nfrom ..api.resources import shown_fields\n",
        ),
        (
            "src/{package}/bookings/serializers.py",
            '    name = StrictCharField(min_length=1, max_length=100, help_text="Display name, 1-100 characters")\n',
            '    name = StrictCharField(min_length=1, max_length=100, help_text="Display name, 1-100 characters")\n'
            '    starts_at = AwareDateTimeField(help_text="When the guests sit down")\n',
        ),
        (
            "src/{package}/bookings/serializers.py",
            'help_text="Display name, 1-100 characters")\n\n    class Meta:\n        ref_name = "BookingPatch"',
            'help_text="Display name, 1-100 characters")\n'
            '    starts_at = AwareDateTimeField(required=False, help_text="When the guests sit down")\n\n'
            '    class Meta:\n        ref_name = "BookingPatch"',
        ),
        ("src/{package}/bookings/serializers.py", 'shown_fields("name")', 'shown_fields("name", "starts_at")'),
        ("src/{package}/bookings/views.py", "from typing import ClassVar\n", "from typing import Any, ClassVar\n"),
        (
            "src/{package}/bookings/views.py",
            "from drf_spectacular.types import OpenApiTypes\n",
            "from django.db import transaction\nfrom drf_spectacular.types import OpenApiTypes\n",
        ),
        (
            "src/{package}/bookings/views.py",
            "extend_schema, extend_schema_view\n",
            "extend_schema, extend_schema_view\nfrom rest_framework.request import Request\n"
            "from rest_framework.response import Response\n",
        ),
        (
            "src/{package}/bookings/views.py",
            "from ..api.resources import ResourceViewSet\n",
            "from ..api.events import record_domain_event\nfrom ..api.resources import ResourceViewSet\n",
        ),
        (
            "src/{package}/bookings/views.py",
            "from ..rates import RouteLimit\n",
            "from ..jobs.queue import defer\nfrom ..rates import RouteLimit\n",
        ),
        (
            "src/{package}/bookings/views.py",
            "from .limits import WRITE_LIMIT\n",
            "from .events import BOOKING_CONFIRMED, BookingConfirmed\nfrom .limits import WRITE_LIMIT\n",
        ),
        (
            "src/{package}/bookings/views.py",
            "from .serializers import BookingInSerializer, BookingPatchSerializer, BookingSerializer\n",
            "from .serializers import BookingInSerializer, BookingPatchSerializer, BookingSerializer\n"
            "from .tasks import send_confirmation\n",
        ),
        (
            "src/{package}/bookings/views.py",
            'value={"name": "First"}, request_only=True',
            f'value={{"name": "First", "starts_at": "{FUTURE}"}}, request_only=True',
        ),
        (
            "src/{package}/bookings/views.py",
            'value={"name": "Second"}, request_only=True',
            f'value={{"name": "Second", "starts_at": "{FUTURE}"}}, request_only=True',
        ),
        (
            "src/{package}/bookings/views.py",
            f"{AUDITED}\n",
            AUDITED
            + """

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():  # a booking is confirmed as it is made: its event and its email commit with it
            created = super().create(request, *args, **kwargs)
            booking = self.get_queryset().get(pk=created.data["id"])
            record_domain_event(BOOKING_CONFIRMED, booking, BookingConfirmed(name=booking.name))
            defer(send_confirmation, owner_id=booking.owner_id, name=booking.name, starts_at=str(booking.starts_at))
        return created
""",
        ),
        ("tests/bookings/test_bookings.py", '{"name": "First"}', f'{{"name": "First", "starts_at": "{FUTURE}"}}'),
    ),
}

# The bookings' own tests (under tests/: written, not counted): the job that confirms a booking really runs and its
# email arrives, and the audit trail names the booking's creation.
BOUND_TESTS = {
    "fastapi": '''"""A booking is confirmed as it is made: its email, sent by the job, and its audit trail."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ..fixtures import Caller, CreateUser, Mailbox, RunJobs
from ..mailbox import plain_text


def test_a_booking_is_confirmed_by_email_and_audited(
    client: TestClient, mailbox: Mailbox, run_jobs: RunJobs, create_user: CreateUser, admin: Caller
) -> None:
    guest = create_user("bookings:read", "bookings:write", email="guest@example.com")
    table = {"name": "Table for four", "starts_at": "2999-01-01T09:00:00+02:00"}
    created = client.post("/api/v1/bookings", json=table, headers=guest.headers())
    assert created.status_code == 201, created.text
    assert mailbox.messages == []  # deferred with the booking: the worker sends it
    assert [(job.task_name, job.status) for job in run_jobs()] == [("bookings.send_confirmation", "succeeded")]
    email = mailbox.wait_for(to="guest@example.com", subject="Table for four is booked")
    assert "See you at 2999-01-01 07:00:00+00:00." in plain_text(email)
    filters = {"subject_type": "bookings", "subject": created.json()["id"]}
    trail = client.get("/api/v1/audit-events", params=filters, headers=admin.headers()).json()["items"]
    assert [(event["kind"], event["actor"], event["details"]["fields"]) for event in trail] == [
        ("create", guest.id, ["name", "starts_at"])
    ]
''',
    "django": '''"""A booking is confirmed as it is made: its email, sent by the job, and its audit trail."""

from __future__ import annotations

from rest_framework.test import APIClient

from ..fixtures import Caller, CreateUser, Mailbox, RunJobs
from ..mailbox import plain_text


def test_a_booking_is_confirmed_by_email_and_audited(
    client: APIClient, mailbox: Mailbox, run_jobs: RunJobs, create_user: CreateUser, admin: Caller
) -> None:
    guest = create_user("bookings:read", "bookings:write", email="guest@example.com")
    table = {"name": "Table for four", "starts_at": "2999-01-01T09:00:00+02:00"}
    created = client.post("/api/v1/bookings", table, format="json", headers=guest.headers())
    assert created.status_code == 201, created.content
    assert mailbox.messages == []  # deferred with the booking: the worker sends it
    assert [(job.task_name, job.status) for job in run_jobs()] == [("bookings.send_confirmation", "succeeded")]
    email = mailbox.wait_for(to="guest@example.com", subject="Table for four is booked")
    assert "See you at 2999-01-01 07:00:00+00:00." in plain_text(email)
    filters = {"subject_type": "bookings", "subject": created.json()["id"]}
    trail = client.get("/api/v1/audit-events", filters, headers=admin.headers()).json()["items"]
    assert [(event["kind"], event["actor"], event["details"]["fields"]) for event in trail] == [
        ("create", guest.id, ["name", "starts_at"])
    ]
''',
}


def edit_bookings(project: Path, framework: str, package: str) -> None:
    """The bound, by hand after `resource add bookings`: the bookings' time, their email and event, and the create
    that causes both; then their tests."""
    for path, old, new in BOUND_EDITS[framework]:
        replace_once(project / path.format(package=package), old, new)
    write_confirmation_email(project, package)
    write_domain_event(project, package)
    (project / "tests/bookings/test_booking_confirmation.py").write_text(BOUND_TESTS[framework])


# --- the bookings' own email, as the README's mail section says (its task copied from there) --------------------------

CONFIRMATION_TEMPLATES = {
    "booking_confirmed.txt": "Subject: $service_name: $name is booked\n\nSee you at $starts_at.\n",
    "booking_confirmed.html": "<p>See you at $starts_at for $name.</p>\n",
}


def readme_file(project: Path, path: str, sign: str) -> str:
    """The README's Python block that starts with `# <path>` and holds `sign`, without that first line."""
    header = f"# {path}\n"
    blocks = re.findall(r"```python\n(.*?)```", (project / "README.md").read_text(), flags=re.DOTALL)
    [found] = [block for block in map(textwrap.dedent, blocks) if block.startswith(header) and sign in block]
    return found.removeprefix(header)


def write_confirmation_email(project: Path, package: str) -> None:
    """The README's confirmation task as `bookings/tasks.py`, and its templates in `bookings/mail_templates/`: the
    render's mail tests then check them (found on disk, rendered with the values the task declares)."""
    path = f"src/{package}/bookings/tasks.py"
    (project / path).write_text(readme_file(project, path, "Mail("))
    folder = project / f"src/{package}/bookings/mail_templates"
    folder.mkdir()
    for name, text in CONFIRMATION_TEMPLATES.items():
        (folder / name).write_text(text)


def write_domain_event(project: Path, package: str) -> None:
    """The README's `bookings.confirmed` as `bookings/events.py` (its domain-event recipe): found there, listed in
    the AsyncAPI document the render's tests check, and recorded as a booking is made (the edits above)."""
    path = f"src/{package}/bookings/events.py"
    (project / path).write_text(readme_file(project, path, "DomainEvent("))


# --- the README's steps -----------------------------------------------------------------------------------------------


def readme_section(readme: str, title: str) -> str:
    return readme.split(f"\n### {title}\n", 1)[1].split("\n## ", 1)[0]


def code_blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.DOTALL)


def git(project: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=True).stdout


def commit(project: Path, tag: str) -> None:
    git(project, "add", "-A")
    git(project, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", tag)
    git(project, "tag", tag)


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


@dataclass
class Grown:
    """A render after `resource add bookings`, the edits by hand and the migration: the README's steps but its
    last, `make check` (the growth tests run it)."""

    framework: str
    project: RenderedProject
    check: str  # the README's last step


class Growths:
    """Each framework's render of the default answers grown by `bookings`, once per session (per xdist worker)."""

    def __init__(self, projects: ProjectFactory, root: Path) -> None:
        self.projects = projects
        self.root = root
        self._grown: dict[str, Grown] = {}

    def __getitem__(self, framework: str) -> Grown:
        if framework not in self._grown:
            self._grown[framework] = self._grow(framework)
        return self._grown[framework]

    def _grow(self, framework: str) -> Grown:
        rendered = self.projects.render(**ANSWERS[framework])
        path = self.root / framework
        shutil.copytree(rendered.path, path, ignore=shutil.ignore_patterns(*INSTALLED_AND_CHECKED))
        project = RenderedProject(path, rendered.answers)
        return Grown(framework, project, grow(project))


def grow(project: RenderedProject) -> str:
    """Grow a copy of a render as its README says, committing as it goes: the bound (bookings), its migration, then
    parties and theirs; the README's last step (`make check`)."""
    path, framework, package = project.path, str(project.answers["framework"]), project.package
    git(path, "init", "-q")
    commit(path, "rendered")
    # Bytecode compiled once, as `make install` does: the suite the growth test runs starts the service as a process
    # many times, and with PYTHONDONTWRITEBYTECODE (RenderedProject.env) each start would compile every import again.
    project.uv("sync", "--quiet", "--compile-bytecode")
    steps = readme_section((path / "README.md").read_text(), "Add a resource")
    add, checks = code_blocks(steps, "bash")
    run_readme_block(project, add)
    commit(path, "added")
    edit_bookings(path, framework, package)
    # Saved as an editor that formats on save would: the bound counts the lines a team keeps.
    project.uv("run", "--no-sync", "ruff", "format", "--no-cache", f"src/{package}/bookings", "tests/bookings")
    commit(path, "bound")
    *migration, check = checks.strip().splitlines()
    run_readme_block(project, "\n".join(migration))
    run_readme_block(project, f"uv run python -m {package} resource add {' '.join(PARTIES)}")
    edit_parties(path, framework, package)
    run_readme_block(project, renamed("\n".join(migration)))
    # The migrations those steps generated pass the last step's format check as they are (the growth tests format the
    # hand edits first, as an editor would, which would hide an unformatted migration).
    generated = {
        "fastapi": [f"src/{package}/migrations/versions"],
        "django": [f"src/{package}/bookings/migrations", f"src/{package}/parties/migrations"],
    }[framework]
    formatted = project.uv("run", "--no-sync", "ruff", "format", "--check", "--no-cache", *generated, check=False)
    assert formatted.returncode == 0, f"the README's steps leave a migration unformatted:\n{formatted.stdout}"
    return check.strip()
