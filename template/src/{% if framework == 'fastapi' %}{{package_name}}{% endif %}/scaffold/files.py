# ruff: noqa: E501 - code as written before `ruff format`, which `resource add` runs on what it wrote
"""The files `resource add` writes for a new resource, as `string.Template`s: `$plural` (`bookings`), `$singular`
(`booking`), `$Model` (`Booking`), `$Singular` (`Booking`), `$a_singular` (`a booking`), `$package`. They are this
service's own conventions (api/crud.py, api/repositories.py), not a copy of `items`, which you may have changed or
deleted."""

from __future__ import annotations

from typing import Final

PACKAGE: Final = {
    "__init__.py": '''"""`/api/v1/$plural`: its models (models.py), table (table.py), storage on the shared repository
(repository.py), routes (routes.py), scopes (scopes.py), write budget (limits.py) and repository dependency
(dependencies.py). `app.py` registers its router in `RESOURCE_ROUTERS`.$owned_sentence"""
''',
    "table.py": '''"""The `$plural` table. It belongs to the service's one `metadata` (database.py), which Alembic compares with the
migrations (`alembic check`). database.py has the column types to use for a moment (`UTCDateTime`) and for a string
enum (`string_enum(Status)`: its values in a VARCHAR, no database enum type)."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table, Uuid

from ..database import UTCDateTime, metadata

$plural = Table(
    "$plural",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(100), nullable=False),$owner_column
    Column("row_version", Integer, nullable=False),  # 1, then one more per write: the ETag (core/entity_tags.py)
    Column("created_at", UTCDateTime, nullable=False, index=True),
    Column("updated_at", UTCDateTime, nullable=False),
)
''',
    "models.py": '''"""Request and response models of $plural. Strict: unknown fields and type coercion are refused; the types JSON
sends as strings (dates, enums, UUIDs, money...) come from api/fields.py."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..api import crud

# NUL is refused at the door: most databases cannot store it (PostgreSQL refuses it).
Name = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\\x00]*$$")]


class ${Model}In(BaseModel):
    """What a client sends to create or replace $a_singular."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: Name = Field(description="Display name, 1-100 characters")


# A PATCH field that was not sent keeps the $singular's value: only `model_fields_set` is applied, so this default is
# never validated nor stored. A field every $singular has is typed without None: an explicit `null` is a 422.
NOT_SENT: Any = None


class ${Model}Patch(BaseModel):
    """A partial update: the fields sent replace the $singular's, the others stay."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: Name = Field(default=NOT_SENT, description="Display name, 1-100 characters")

    def changes(self) -> dict[str, object]:
        """The fields the client sent, with their new values."""
        return self.model_dump(include=self.model_fields_set)


class $Model(${Model}In, crud.Record):
    """$A_singular as stored and returned. Its stored version is not in the body: the `ETag` header carries it."""

    # Every field is always sent, defaults included: the response schema says so.
    model_config = ConfigDict(extra="forbid", strict=False, json_schema_serialization_defaults_required=True)

    id: UUID
    created_at: datetime
    updated_at: datetime$owner_field


class ${Model}Page(crud.Page[$Model]):
    """A page of $plural (the envelope every resource's list answers: api/crud.py)."""
''',
    "scopes.py": '''"""Who may call each $plural route: the scopes its bearer token must carry, declared once and used in the routes'
`dependencies=`. Each operation's scopes appear in the OpenAPI document."""

from __future__ import annotations

from typing import Final

from ..api.access import requires

${PLURAL}_READ: Final = "$plural:read"
${PLURAL}_WRITE: Final = "$plural:write"
${PLURAL}_ADMIN: Final = "$plural:admin"
"""$admin_doc"""

READ_${PLURAL} = [requires(${PLURAL}_READ)]
"""Listing and reading $plural."""
WRITE_${PLURAL} = [requires(${PLURAL}_WRITE)]
"""Creating, replacing, updating and deleting $plural."""
''',
    "limits.py": "$limits",
    "repository.py": '''"""Storage of $plural: the shared repository (api/crud.py) on the $plural table. Reads by id, pages, writes with
`If-Match`, ownership and the application cache come with it; add a query of $plural only here, as a method."""

from __future__ import annotations

from ..api.crud import Repository
from .models import $Model
from .scopes import ${PLURAL}_ADMIN$shared_import
from .table import $plural


class ${Model}Repository(Repository[$Model]):
    table = $plural
    model = $Model
    admin_scope = ${PLURAL}_ADMIN$shared_declaration$audit_declaration
''',
    "dependencies.py": '''"""The $plural' repository, as a typed route parameter (`repository: ${Model}RepositoryDep`), built for each
request by `api/repositories.py`. To keep $plural elsewhere (a test double), override it:
`app.dependency_overrides[get_${singular}_repository] = ...`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from ..api.repositories import repository_dependency
from .repository import ${Model}Repository

get_${singular}_repository = repository_dependency(${Model}Repository)

${Model}RepositoryDep = Annotated[${Model}Repository, Depends(get_${singular}_repository)]
''',
    "routes.py": '''"""`/api/v1/$plural`: the routes stay thin; the shared repository (api/crud.py) does the reads, the versioned
writes$owned_routes."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any, NotRequired, TypedDict
from uuid import UUID

from fastapi import Body, Header, Query, Request, status
from starlette.exceptions import HTTPException
from starlette.responses import Response

from ..api.conditional_reads import NOT_MODIFIED, IfNoneMatch, cacheable_list, cacheable_read
from ..api.crud import DuplicateError, StaleError
from ..api.json_body import JSON_BODY
from ..api.paths import API_V1
from ..core.entity_tags import STALE
from ..core.problems import PROBLEM_MEDIA_TYPE
from ..problems import problem_openapi_responses
from ..route_guards import api_router
from .dependencies import ${Model}RepositoryDep
from .limits import WRITE_LIMIT
from .models import $Model, ${Model}In, ${Model}Page, ${Model}Patch
from .scopes import READ_${PLURAL}, WRITE_${PLURAL}

COLLECTION = f"{API_V1}/$plural"
router = api_router(prefix=COLLECTION, tags=["$plural"], description="$Plural.")

# Every request body shows at least two named examples in the docs UI.
EXAMPLES: dict[str, Any] = {
    "minimal": {"summary": "Only the required fields", "value": {"name": "First"}},
    "renamed": {"summary": "Another name", "value": {"name": "Second"}},
}
PATCH_EXAMPLES: dict[str, Any] = {
    "name": {"summary": "Change the name only", "value": {"name": "Renamed"}},
    "same": {"summary": "The same name", "value": {"name": "First"}},
}
${Model}Body = Annotated[${Model}In, Body(openapi_examples=EXAMPLES)]
PatchBody = Annotated[${Model}Patch, Body(openapi_examples=PATCH_EXAMPLES)]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The ETag as read (`"3"`): the write applies only to that version, else 412. Optional.',
    ),
]
ETAG_HEADER: dict[str, Any] = {
    "ETag": {"description": "Its version: send it back in If-Match to update safely", "schema": {"type": "string"}}
}

DUPLICATE = "$A_singular with these values already exists"
# What the documented examples of this resource's 404 and 409 say (the service's own are generic).
_EXAMPLE_DETAILS = {404: "$Singular 3fa85f64-5717-4562-b3fc-2c963f66afa6 does not exist", 409: DUPLICATE}


class _Invalid(TypedDict):
    """The invalid input an operation's documented 422 shows: its field and message, and the request's path."""

    invalid: str
    message: str
    instance: NotRequired[str]


def _errors(
    *statuses: int, invalid: str, message: str, instance: str | None = None, details: dict[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """Documented problem responses whose 422 example names a field this operation has (and, given `instance`, the
    path of the request that example failed on); `details` words an operation's own errors (a custom action's 409)."""
    responses = problem_openapi_responses(*statuses, details={**_EXAMPLE_DETAILS, **(details or {})})
    example = responses[422]["content"][PROBLEM_MEDIA_TYPE]["example"]
    example["errors"] = [{"field": invalid, "message": message}]
    if instance is not None:
        example["instance"] = instance
    return responses


_LIST_ERRORS = _errors(422, invalid="query.limit", message="Input should be less than or equal to 100")
_INVALID_ID: _Invalid = {"invalid": "path.${singular}_id", "message": "Input should be a valid UUID", "instance": f"{COLLECTION}/42"}
_READ_ERRORS = {**NOT_MODIFIED, **_errors(404, 422, **_INVALID_ID)}
_INVALID_NAME: _Invalid = {"invalid": "body.name", "message": "String should have at least 1 character"}
_CREATE_ERRORS = _errors(400, 409, 413, 415, 422, **_INVALID_NAME)
_REPLACE_ERRORS = _errors(400, 404, 409, 412, 413, 415, 422, **_INVALID_NAME)
_DELETE_ERRORS = _errors(404, 412, 422, **_INVALID_ID)
_WRITE_DEPENDENCIES = [*WRITE_${PLURAL}, *WRITE_LIMIT, *JSON_BODY]


def _not_found(${singular}_id: UUID) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"$Singular {${singular}_id} does not exist")


def _with_etag(responses: dict[int | str, dict[str, Any]], status_code: int) -> dict[int | str, dict[str, Any]]:
    return {status_code: {"headers": ETAG_HEADER}, **responses}


async def _written(write: Awaitable[$Model | None], ${singular}_id: UUID, response: Response) -> $Model:
    """The $singular a write returned, with its new ETag; the write's failures as problems."""
    try:
        written = await write
    except DuplicateError:
        raise HTTPException(status.HTTP_409_CONFLICT, DUPLICATE) from None
    except StaleError:
        raise HTTPException(status.HTTP_412_PRECONDITION_FAILED, STALE) from None
    if written is None:
        raise _not_found(${singular}_id)
    response.headers["ETag"] = written.etag
    return written


# Route names (the function names) are the operationIds of the OpenAPI document: see openapi.py.
@router.get("", summary="List $plural", responses=_LIST_ERRORS, dependencies=READ_${PLURAL})
async def list_$plural(
    repository: ${Model}RepositoryDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="$Plural to skip")] = 0,
) -> ${Model}Page:
    records, total = await repository.page(limit=limit, offset=offset)
    cacheable_list(response)
    return ${Model}Page.of(records, total, limit=limit, offset=offset)


@router.post(
    "",
    summary="Create $a_singular",
    status_code=status.HTTP_201_CREATED,
    responses=_with_etag(_CREATE_ERRORS, status.HTTP_201_CREATED),
    dependencies=_WRITE_DEPENDENCIES,
)
async def create_$singular(request: Request, data: ${Model}Body, repository: ${Model}RepositoryDep, response: Response) -> $Model:
    try:
        created = await repository.create(data)
    except DuplicateError:
        raise HTTPException(status.HTTP_409_CONFLICT, DUPLICATE) from None
    response.headers["Location"] = str(request.url_for("get_$singular", ${singular}_id=created.id).path)
    response.headers["ETag"] = created.etag
    return created


@router.get(
    "/{${singular}_id}",
    summary="Read $a_singular",
    response_model=$Model,
    responses=_with_etag(_READ_ERRORS, status.HTTP_200_OK),
    dependencies=READ_${PLURAL},
)
async def get_$singular(
    ${singular}_id: UUID, repository: ${Model}RepositoryDep, response: Response, if_none_match: IfNoneMatch = None
) -> $Model | Response:
    found = await repository.get(${singular}_id)
    if found is None:
        raise _not_found(${singular}_id)
    if (unchanged := cacheable_read(found.etag, if_none_match, response)) is not None:
        return unchanged
    return found


@router.put(
    "/{${singular}_id}",
    summary="Replace $a_singular",
    responses=_with_etag(_REPLACE_ERRORS, status.HTTP_200_OK),
    dependencies=_WRITE_DEPENDENCIES,
)
async def replace_$singular(
    ${singular}_id: UUID, data: ${Model}Body, repository: ${Model}RepositoryDep, response: Response, if_match: IfMatch = None
) -> $Model:
    return await _written(repository.replace(${singular}_id, data, if_match=if_match), ${singular}_id, response)


@router.patch(
    "/{${singular}_id}",
    summary="Update some fields of $a_singular",
    responses=_with_etag(_REPLACE_ERRORS, status.HTTP_200_OK),
    dependencies=_WRITE_DEPENDENCIES,
)
async def update_$singular(
    ${singular}_id: UUID, changes: PatchBody, repository: ${Model}RepositoryDep, response: Response, if_match: IfMatch = None
) -> $Model:
    return await _written(repository.patch(${singular}_id, changes.changes(), if_match=if_match), ${singular}_id, response)


@router.delete(
    "/{${singular}_id}",
    summary="Delete $a_singular",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=_DELETE_ERRORS,
    dependencies=[*WRITE_${PLURAL}, *WRITE_LIMIT],
)
async def delete_$singular(${singular}_id: UUID, repository: ${Model}RepositoryDep, if_match: IfMatch = None) -> None:
    try:
        deleted = await repository.delete(${singular}_id, if_match=if_match)
    except StaleError:
        raise HTTPException(status.HTTP_412_PRECONDITION_FAILED, STALE) from None
    if not deleted:
        raise _not_found(${singular}_id)
''',
}

OWNED: Final = {
    "owned_sentence": "\nEach $singular belongs to the caller that created it.",
    "owned_routes": ", the 404s and the ownership (another caller's $singular is a 404; `$plural:admin` reaches everyone's)",
    "owner_column": """
    # The subject of the caller that created the row (api/crud.py shows each caller its own); NULL for a row created
    # outside a request (`EVERY_OWNER`), seen by the holders of $plural:admin only.
    Column("owner_id", String(255), nullable=True, index=True),""",
    "owner_field": """
    owner_id: str | None = Field(description="The subject of the caller that created the $singular")""",
}
SHARED: Final = {
    "owned_sentence": "\nEvery caller with `$plural:read` reads every $singular; only `$plural:admin` writes them (a shared resource).",
    "owned_routes": ", the 404s and the sharing (every reader reads every $singular; a write without `$plural:admin` is a 403)",
    "owner_column": """
    # The subject of the caller that created the row: $plural are shared (repository.py), so it decides nothing.
    Column("owner_id", String(255), nullable=True, index=True),""",
    "owner_field": """
    owner_id: str | None = Field(description="The subject of the caller that created the $singular")""",
}
UNOWNED: Final = {
    "owned_sentence": "",
    "owned_routes": " and the 404s",
    "owner_column": "",
    "owner_field": "",
}

RATE_LIMITED: Final = '''"""The $plural routes' own write budget: 30 per minute per client, apart from every other resource's (routes that
share a `scope` share one budget)."""

from __future__ import annotations

from ..integrations.rate_limiting import route_limit

WRITE_LIMIT = [route_limit("30/minute", scope="$plural:write")]
"""Creating, replacing and deleting $plural: 30 per minute per client."""
'''
NOT_RATE_LIMITED: Final = '''"""Per-route rate limits: none, because this service does no rate limiting. The routes keep their
`dependencies=WRITE_LIMIT` so that turning rate limiting on later only changes this file."""

from __future__ import annotations

from fastapi import params

WRITE_LIMIT: list[params.Depends] = []
'''

TESTS: Final = {
    "__init__.py": "",
    "test_$plural.py": '''"""$Plural through the routes: CRUD, refused input, 404s$owned_words."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
$callers_import
COLLECTION = "/api/v1/$plural"
$SINGULAR: dict[str, Any] = {"name": "First"}  # a valid body: the tests below vary it


def test_create_read_list_replace_patch_delete(client: TestClient$user_parameter) -> None:
    created = client.post(COLLECTION, json=$SINGULAR$user_headers)
    assert created.status_code == 201, created.text
    one = f"{COLLECTION}/{created.json()['id']}"
    assert created.headers["Location"] == one
    assert client.get(one$user_headers).json() == created.json()
    page = client.get(COLLECTION$user_headers).json()
    assert (page["total"], page["items"]) == (1, [created.json()])
    replaced = client.put(one, json={**$SINGULAR, "name": "Second"}$user_headers)
    assert (replaced.status_code, replaced.json()["name"]) == (200, "Second")
    stale = client.patch(one, json={"name": "Third"}, headers={$user_headers_dict"If-Match": created.headers["ETag"]})
    assert stale.status_code == 412
    patched = client.patch(one, json={"name": "Third"}, headers={$user_headers_dict"If-Match": replaced.headers["ETag"]})
    assert (patched.status_code, patched.json()["name"]) == (200, "Third")
    assert client.delete(one$user_headers).status_code == 204
    assert client.get(one$user_headers).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({key: value for key, value in $SINGULAR.items() if key != "name"}, "body.name"),
        ({**$SINGULAR, "name": ""}, "body.name"),
        ({**$SINGULAR, "name": 7}, "body.name"),
        ({**$SINGULAR, "name": "a\\x00b"}, "body.name"),
        ({**$SINGULAR, "extra": 1}, "body.extra"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client: TestClient$user_parameter, body: dict[str, Any], field: str) -> None:
    response = client.post(COLLECTION, json=body$user_headers)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_an_unknown_or_malformed_id(client: TestClient$user_parameter) -> None:
    unknown = uuid.uuid4()
    missing = client.get(f"{COLLECTION}/{unknown}"$user_headers)
    assert (missing.status_code, missing.json()["detail"]) == (404, f"$Singular {unknown} does not exist")
    assert client.get(f"{COLLECTION}/not-a-uuid"$user_headers).status_code == 422
$owned_tests''',
}

SHARED_TESTS: Final = """

EVENTS = "/api/v1/events"
WAIT_S = 60  # a bound for a broken stream only: each wait ends when its event arrives
$redis_events

def next_event(events: WebSocketTestSession) -> Any:
    # The next message on `events`, or a failure after `WAIT_S`: a test that waits for an event never hangs.
    pool = ThreadPoolExecutor(1)
    try:
        return pool.submit(events.receive_json).result(timeout=WAIT_S)
    finally:
        pool.shutdown(wait=False)


def test_a_token_without_the_scopes_is_refused(client: TestClient, create_user: CreateUser) -> None:
    reader = create_user("$plural:read")
    assert client.get(COLLECTION, headers=reader.headers()).status_code == 200
    assert client.post(COLLECTION, json=$SINGULAR, headers=reader.headers()).status_code == 403
    assert client.get(COLLECTION, headers=create_user("$plural:admin").headers()).status_code == 403


def test_every_reader_reads_every_$singular(client: TestClient, admin: Caller, user: Caller, other_user: Caller) -> None:
    created = client.post(COLLECTION, json=$SINGULAR, headers=admin.headers())
    one = f"{COLLECTION}/{created.json()['id']}"
    for reader in (user.headers(), other_user.headers(), admin.headers()):
        assert client.get(one, headers=reader).json() == created.json()
        assert client.get(one, headers={**reader, "If-None-Match": created.headers["ETag"]}).status_code == 304
        page = client.get(COLLECTION, headers=reader).json()
        assert (page["total"], page["items"]) == (1, [created.json()])


def test_only_the_admin_scope_writes_$plural(client: TestClient, admin: Caller, user: Caller) -> None:
    created = client.post(COLLECTION, json=$SINGULAR, headers=admin.headers()).json()
    one = f"{COLLECTION}/{created['id']}"
    mine = user.headers()  # $plural:read and $plural:write, not $plural:admin
    refused = [
        client.post(COLLECTION, json=$SINGULAR, headers=mine),
        client.put(one, json={**$SINGULAR, "name": "Mine"}, headers=mine),
        client.patch(one, json={"name": "Mine"}, headers=mine),
        client.delete(one, headers=mine),
        client.delete(f"{COLLECTION}/{uuid.uuid4()}", headers=mine),
    ]
    for response in refused:
        assert response.status_code == 403, response.text
        assert response.headers["WWW-Authenticate"] == 'Bearer error="insufficient_scope", scope="$plural:admin"'
    assert client.get(COLLECTION, headers=mine).json()["items"] == [created]
    assert client.patch(one, json={"name": "Renamed"}, headers=admin.headers()).status_code == 200
    assert client.delete(one, headers=admin.headers()).status_code == 204
    assert client.get(one, headers=mine).status_code == 404


def test_every_reader_receives_the_events_of_$plural(client: TestClient, admin: Caller, user: Caller, other_user: Caller) -> None:
    with (
        client.websocket_connect(EVENTS, headers=user.headers()) as mine,
        client.websocket_connect(EVENTS, headers=other_user.headers()) as theirs,
    ):
        assert [next_event(mine), next_event(theirs)] == [{"type": "ready"}] * 2
        created = client.post(COLLECTION, json=$SINGULAR, headers=admin.headers()).json()
        assert client.patch(f"{COLLECTION}/{created['id']}", json={"name": "Renamed"}, headers=admin.headers()).status_code == 200
        expected = [
            {"type": "$plural.created", "id": created["id"], "version": 1},
            {"type": "$plural.updated", "id": created["id"], "version": 2},
        ]
        for events in (mine, theirs):
            assert [next_event(events), next_event(events)] == expected
"""

REDIS_EVENTS: Final = '''

@pytest.fixture
def settings(settings: Settings) -> Iterator[Settings]:
    """This service's events travel through Redis between replicas: a real redis-server for this module's app."""
    server = start_redis()
    yield settings.model_copy(update={"redis_url": SecretStr(server.url)})
    server.stop()
'''
REDIS_EVENTS_IMPORTS: Final = """
from collections.abc import Iterator

from pydantic import SecretStr

from $package.config import Settings

from ..redis_server import start_redis
"""

OWNED_TESTS: Final = """

def test_a_token_without_the_scopes_is_refused(client: TestClient, create_user: CreateUser) -> None:
    reader = create_user("$plural:read")
    assert client.get(COLLECTION, headers=reader.headers()).status_code == 200
    assert client.post(COLLECTION, json=$SINGULAR, headers=reader.headers()).status_code == 403
    assert client.get(COLLECTION, headers=create_user("$plural:admin").headers()).status_code == 403


def test_another_users_${singular}_is_a_404_on_every_path(client: TestClient, user: Caller, other_user: Caller) -> None:
    created = client.post(COLLECTION, json=$SINGULAR, headers=user.headers()).json()
    one = f"{COLLECTION}/{created['id']}"
    assert created["owner_id"] == user.id
    theirs = other_user.headers()
    assert client.get(one, headers=theirs).status_code == 404
    assert client.get(one, headers={**theirs, "If-None-Match": '"1"'}).status_code == 404
    assert client.put(one, json={**$SINGULAR, "name": "Mine"}, headers=theirs).status_code == 404
    assert client.patch(one, json={"name": "Mine"}, headers=theirs).status_code == 404
    assert client.delete(one, headers=theirs).status_code == 404
    assert client.get(COLLECTION, headers=theirs).json()["total"] == 0
    assert client.get(one, headers=user.headers()).json() == created


def test_the_admin_scope_reaches_everyones_$plural(client: TestClient, user: Caller, admin: Caller) -> None:
    created = client.post(COLLECTION, json=$SINGULAR, headers=user.headers()).json()
    one = f"{COLLECTION}/{created['id']}"
    assert client.get(COLLECTION, headers=admin.headers()).json()["total"] == 1
    assert client.patch(one, json={"name": "Renamed"}, headers=admin.headers()).status_code == 200
    assert client.delete(one, headers=admin.headers()).status_code == 204
"""
