# ruff: noqa: E501 - code as written before `ruff format`, which `resource add` runs on what it wrote
"""The files `resource add` writes for a new resource, as `string.Template`s: `$plural` (`bookings`), `$singular`
(`booking`), `$Model` (`Booking`), `$Singular` (`Booking`), `$a_singular` (`a booking`), `$package`. They are this
service's own conventions (api/resources.py), not a copy of `items`, which you may have changed or deleted."""

from __future__ import annotations

from typing import Final

APP: Final = {
    "__init__.py": '"""`/api/v1/$plural`: $owned_sentence (api/resources.py)."""\n',
    "apps.py": """from typing import ClassVar

from django.apps import AppConfig


class ${Model}sConfig(AppConfig):
    name = __name__.rpartition(".")[0]
    label = "$plural"
    default_auto_field = "django.db.models.BigAutoField"
    openapi_tag: ClassVar[dict[str, str]] = {"name": "$plural", "description": "$Plural."}
""",
    "models.py": '''"""The stored $singular; the columns every resource shares come from `api.resources.ResourceModel`."""

from __future__ import annotations

from django.db import models

from ..api.resources import ResourceModel


class $Model(ResourceModel):
    name = models.CharField(max_length=100)

    class Meta(ResourceModel.Meta):
        # The resource's name in its events, its audit trail and its cache (Django would guess "${singular}s").
        verbose_name_plural = "$plural"

    def __str__(self) -> str:
        return self.name
''',
    "scopes.py": '''"""Who may read and write $plural, and $admin_doc."""

from __future__ import annotations

from typing import Final

from ..api.scopes import MethodScopes

${SINGULAR}_SCOPES: Final = MethodScopes(read=("$plural:read",), write=("$plural:write",), admin="$plural:admin")
''',
    "limits.py": '''"""The $plural views' own write budget (30 per minute per client), apart from every other resource's."""

from __future__ import annotations

from typing import Final

from ..rates import WRITE_METHODS, RouteLimit

WRITE_LIMIT: Final = (RouteLimit("30/minute", scope="$plural:write", methods=WRITE_METHODS),)
''',
    "serializers.py": '''"""Request and response shapes of $plural. Strict: unknown fields and type coercion are refused
(api/fields.py has dates, enums, money and more)."""

from __future__ import annotations

from ..api.resources import shown_fields
from ..api.serializers import ResponseSerializer, StrictCharField, StrictInputSerializer
from .models import $Model


class ${Model}InSerializer(StrictInputSerializer):
    """What a client sends to create or replace $a_singular."""

    name = StrictCharField(min_length=1, max_length=100, help_text="Display name, 1-100 characters")

    class Meta:
        ref_name = "${Model}In"


class ${Model}PatchSerializer(StrictInputSerializer):
    """A partial update: the fields sent replace the $singular's, the others stay."""

    name = StrictCharField(required=False, min_length=1, max_length=100, help_text="Display name, 1-100 characters")

    class Meta:
        ref_name = "${Model}Patch"


class ${Model}Serializer(ResponseSerializer[$Model]):
    """$A_singular as stored and returned."""

    class Meta:
        model = $Model
        fields = shown_fields("name")
        ref_name = "$Model"
''',
    "views.py": '''"""`/api/v1/$plural`: a `ResourceViewSet` (api/resources.py) does the reads, the versioned writes, the 404s and
the ownership; this declares what is the $plural' own."""

from __future__ import annotations

from typing import ClassVar

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view

from ..api.conditional_reads import IF_NONE_MATCH, NOT_MODIFIED
from ..api.resources import ResourceViewSet
from ..api.schema import problem_responses
from ..rates import RouteLimit
from .limits import WRITE_LIMIT
from .models import $Model
from .scopes import ${SINGULAR}_SCOPES
from .serializers import ${Model}InSerializer, ${Model}PatchSerializer, ${Model}Serializer

COLLECTION = "/api/v1/$plural"
ONE = f"{COLLECTION}/3fa85f64-5717-4562-b3fc-2c963f66afa6"
DUPLICATE = "$A_singular with these values already exists"
DETAILS = {404: "$Singular 3fa85f64-5717-4562-b3fc-2c963f66afa6 does not exist", 409: DUPLICATE}
ID = OpenApiParameter("${singular}_id", OpenApiTypes.UUID, OpenApiParameter.PATH)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The ETag as read (`"3"`): the write applies only to that version, else 412. Optional.',
)
EXAMPLES = [
    OpenApiExample("minimal", summary="Only the required fields", value={"name": "First"}, request_only=True),
    OpenApiExample("renamed", summary="Another name", value={"name": "Second"}, request_only=True),
]


@extend_schema_view(
    list=extend_schema(
        summary="List $plural",
        operation_id="list_$plural",
        responses={200: ${Model}Serializer(many=True), **problem_responses(422, instance=COLLECTION, field="query.limit")},
    ),
    create=extend_schema(
        summary="Create $a_singular",
        operation_id="create_$singular",
        request=${Model}InSerializer,
        responses={201: ${Model}Serializer, **problem_responses(400, 409, 413, 415, 422, instance=COLLECTION, details=DETAILS)},
        examples=EXAMPLES,
    ),
    retrieve=extend_schema(
        summary="Read $a_singular",
        operation_id="get_$singular",
        parameters=[ID, IF_NONE_MATCH],
        responses={
            200: ${Model}Serializer,
            **NOT_MODIFIED,
            **problem_responses(404, 422, instance=ONE, field="path.${singular}_id", details=DETAILS),
        },
    ),
    update=extend_schema(
        summary="Replace $a_singular",
        operation_id="replace_$singular",
        parameters=[ID, IF_MATCH],
        request=${Model}InSerializer,
        responses={200: ${Model}Serializer, **problem_responses(400, 404, 409, 412, 413, 415, 422, instance=ONE, details=DETAILS)},
        examples=EXAMPLES,
    ),
    partial_update=extend_schema(
        summary="Update some fields of $a_singular",
        operation_id="update_$singular",
        parameters=[ID, IF_MATCH],
        request=${Model}PatchSerializer,
        responses={200: ${Model}Serializer, **problem_responses(400, 404, 409, 412, 413, 415, 422, instance=ONE, details=DETAILS)},
        examples=EXAMPLES,
    ),
    destroy=extend_schema(
        summary="Delete $a_singular",
        operation_id="delete_$singular",
        parameters=[ID, IF_MATCH],
        responses={204: None, **problem_responses(404, 412, 422, instance=ONE, field="path.${singular}_id", details=DETAILS)},
    ),
)
@extend_schema(tags=["$plural"])
class ${Model}ViewSet(ResourceViewSet):
    model = $Model
    serializer_class = ${Model}Serializer
    input_serializer = ${Model}InSerializer
    patch_serializer = ${Model}PatchSerializer
    lookup_url_kwarg = "${singular}_id"
    duplicate_detail = DUPLICATE
    required_scopes = ${SINGULAR}_SCOPES
    rate_limits: ClassVar[tuple[RouteLimit, ...]] = WRITE_LIMIT$shared_declaration$audit_declaration
''',
    "urls.py": '''"""The $plural routes, under /api/v1/ (urls.py includes them)."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from .views import ${Model}ViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("$plural", ${Model}ViewSet, basename="$plural")

urlpatterns = router.urls
''',
    "migrations/__init__.py": "",
}

TESTS: Final = {
    "__init__.py": "",
    "test_$plural.py": '''"""$Plural through the views: CRUD, refused input, scopes$owned_words."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from $package.$plural.models import $Model
$conftest_import
COLLECTION = "/api/v1/$plural"
$SINGULAR = {"name": "First"}  # a valid body: the tests below vary it


def test_create_read_list_replace_patch_delete(client: APIClient$user_parameter) -> None:
    created = client.post(COLLECTION, $SINGULAR, format="json"$user_headers)
    assert created.status_code == 201, created.content
    one = f"{COLLECTION}/{created.json()['id']}"
    assert created.headers["Location"] == one
    assert client.get(one$user_headers_only).json() == created.json()
    page = client.get(COLLECTION$user_headers_only).json()
    assert (page["total"], page["items"]) == (1, [created.json()])
    replaced = client.put(one, {**$SINGULAR, "name": "Second"}, format="json"$user_headers)
    assert (replaced.status_code, replaced.json()["name"]) == (200, "Second")
    stale = client.patch(one, {"name": "Third"}, format="json", headers={$user_headers_dict"If-Match": created.headers["ETag"]})
    assert stale.status_code == 412
    patched = client.patch(one, {"name": "Third"}, format="json", headers={$user_headers_dict"If-Match": replaced.headers["ETag"]})
    assert (patched.status_code, patched.json()["name"]) == (200, "Third")
    assert client.delete(one$user_headers_only).status_code == 204
    assert client.get(one$user_headers_only).status_code == 404
    assert not $Model._default_manager.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({key: value for key, value in $SINGULAR.items() if key != "name"}, "body.name"),
        ({**$SINGULAR, "name": ""}, "body.name"),
        ({**$SINGULAR, "name": 7}, "body.name"),
        ({**$SINGULAR, "extra": 1}, "body.extra"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client: APIClient$user_parameter, body: dict[str, object], field: str) -> None:
    response = client.post(COLLECTION, body, format="json"$user_headers)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_an_unknown_or_malformed_id(client: APIClient$user_parameter) -> None:
    assert client.get(f"{COLLECTION}/{uuid.uuid4()}"$user_headers_only).status_code == 404
    assert client.get(f"{COLLECTION}/not-a-uuid"$user_headers_only).status_code == 422
$owned_tests''',
}

SHARED_TESTS: Final = """

def test_a_token_without_the_scopes_is_refused(client: APIClient, create_user: CreateUser) -> None:
    reader = create_user("$plural:read")
    assert client.get(COLLECTION, headers=reader.headers()).status_code == 200
    assert client.post(COLLECTION, $SINGULAR, format="json", headers=reader.headers()).status_code == 403
    assert client.get(COLLECTION, headers=create_user("$plural:admin").headers()).status_code == 403


def test_every_reader_reads_every_$singular(client: APIClient, admin: Caller, user: Caller, other_user: Caller) -> None:
    created = client.post(COLLECTION, $SINGULAR, format="json", headers=admin.headers())
    one = f"{COLLECTION}/{created.json()['id']}"
    for reader in (user.headers(), other_user.headers(), admin.headers()):
        assert client.get(one, headers=reader).json() == created.json()
        assert client.get(one, headers={**reader, "If-None-Match": created.headers["ETag"]}).status_code == 304
        page = client.get(COLLECTION, headers=reader).json()
        assert (page["total"], page["items"]) == (1, [created.json()])


def test_only_the_admin_scope_writes_$plural(client: APIClient, admin: Caller, user: Caller) -> None:
    created = client.post(COLLECTION, $SINGULAR, format="json", headers=admin.headers()).json()
    one = f"{COLLECTION}/{created['id']}"
    mine = user.headers()  # $plural:read and $plural:write, not $plural:admin
    refused = [
        client.post(COLLECTION, $SINGULAR, format="json", headers=mine),
        client.put(one, {**$SINGULAR, "name": "Mine"}, format="json", headers=mine),
        client.patch(one, {"name": "Mine"}, format="json", headers=mine),
        client.delete(one, headers=mine),
        client.delete(f"{COLLECTION}/{uuid.uuid4()}", headers=mine),
    ]
    for response in refused:
        assert response.status_code == 403, response.content
        assert response.headers["WWW-Authenticate"] == 'Bearer error="insufficient_scope", scope="$plural:admin"'
    assert client.get(COLLECTION, headers=mine).json()["items"] == [created]
    assert client.patch(one, {"name": "Renamed"}, format="json", headers=admin.headers()).status_code == 200
    assert client.delete(one, headers=admin.headers()).status_code == 204
    assert client.get(one, headers=mine).status_code == 404


def test_every_reader_receives_the_events_of_$plural(
    client: APIClient, admin: Caller, user: Caller, create_user: CreateUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The events go straight to a hub of connections (core/events.py) instead of the transport between replicas,
    # which a test's transaction, rolled back, never reaches.
    hub = EventHub()
    monkeypatch.setattr(publisher(), "record_in_transaction", hub.deliver)
    other_user = create_user()
    blind = create_user("$plural:write")  # a valid token that may not read $plural
    with (
        hub.subscribe(user.id, frozenset(user.scopes)) as mine,
        hub.subscribe(other_user.id, frozenset(other_user.scopes)) as theirs,
        hub.subscribe(blind.id, frozenset(blind.scopes)) as not_a_reader,
    ):
        created = client.post(COLLECTION, $SINGULAR, format="json", headers=admin.headers()).json()
        assert client.patch(f"{COLLECTION}/{created['id']}", {"name": "Renamed"}, format="json", headers=admin.headers()).status_code == 200
        expected = [
            {"type": "$plural.created", "id": created["id"], "version": 1},
            {"type": "$plural.updated", "id": created["id"], "version": 2},
        ]
        for events in (mine, theirs):
            assert [events.queue.get_nowait() for _ in expected] == expected
        assert not_a_reader.queue.empty()
"""

OWNED_TESTS: Final = """

def test_a_token_without_the_scopes_is_refused(client: APIClient, create_user: CreateUser) -> None:
    reader = create_user("$plural:read")
    assert client.get(COLLECTION, headers=reader.headers()).status_code == 200
    assert client.post(COLLECTION, $SINGULAR, format="json", headers=reader.headers()).status_code == 403
    assert client.get(COLLECTION, headers=create_user("$plural:admin").headers()).status_code == 403


def test_another_users_${singular}_is_a_404_on_every_path(client: APIClient, user: Caller, other_user: Caller) -> None:
    created = client.post(COLLECTION, $SINGULAR, format="json", headers=user.headers()).json()
    one = f"{COLLECTION}/{created['id']}"
    assert created["owner_id"] == user.id
    assert client.get(one, headers=other_user.headers()).status_code == 404
    assert client.put(one, {**$SINGULAR, "name": "Mine"}, format="json", headers=other_user.headers()).status_code == 404
    assert client.patch(one, {"name": "Mine"}, format="json", headers=other_user.headers()).status_code == 404
    assert client.delete(one, headers=other_user.headers()).status_code == 404
    assert client.get(COLLECTION, headers=other_user.headers()).json()["total"] == 0
    assert client.get(one, headers=user.headers()).json() == created


def test_the_admin_scope_reaches_everyones_$plural(client: APIClient, user: Caller, admin: Caller) -> None:
    created = client.post(COLLECTION, $SINGULAR, format="json", headers=user.headers()).json()
    one = f"{COLLECTION}/{created['id']}"
    assert client.get(COLLECTION, headers=admin.headers()).json()["total"] == 1
    assert client.patch(one, {"name": "Renamed"}, format="json", headers=admin.headers()).status_code == 200
    assert client.delete(one, headers=admin.headers()).status_code == 204
"""
