"""One API, two frameworks: a client generated from one framework's OpenAPI document works against the other.

Both frameworks are rendered with the same answers, installed, and run as real processes. Their `/openapi.json`
documents must agree on what a generated client depends on (operations, operationIds, documented statuses, schema
names, required fields, request media types), each document's problem examples must belong to their operation,
and both services must answer the same odd requests with the same status and media type (and, for a 422, name the
same fields). Each comparison lists every difference it finds.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from .bearer import bearer
from .conftest import ProjectFactory
from .contract.checks import ITEM
from .contract.service import Service, start_service

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("api-parity")]

FRAMEWORKS = ("fastapi", "django")
PUBLIC_URL = "https://api.example.com/orders"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

# The names every generated client sees: the route names, the same in both documents.
TARGET_OPERATION_IDS = {
    "GET /api/v1/items": "list_items",
    "POST /api/v1/items": "create_item",
    "GET /api/v1/items/{item_id}": "get_item",
    "PUT /api/v1/items/{item_id}": "replace_item",
    "PATCH /api/v1/items/{item_id}": "update_item",
    "DELETE /api/v1/items/{item_id}": "delete_item",
    "GET /health/live": "health_live",
    "GET /health/ready": "health_ready",
    "GET /health": "health_summary",
    "GET /api/v1/debug/error": "debug_error",
    # auth=users (the default): the accounts, the tokens and the keys that verify them
    "GET /api/v1/users": "list_users",
    "POST /api/v1/users": "create_user",
    "GET /api/v1/users/me": "get_me",
    "PATCH /api/v1/users/me": "update_me",
    "GET /api/v1/users/{user_id}": "get_user",
    "PATCH /api/v1/users/{user_id}": "update_user",
    "DELETE /api/v1/users/{user_id}": "delete_user",
    "POST /api/v1/users/{user_id}/deactivate": "deactivate_user",
    "POST /api/v1/auth/token": "issue_token",
    "POST /api/v1/auth/login": "login",
    "POST /api/v1/auth/refresh": "refresh_login",
    "POST /api/v1/auth/verify": "verify_token",
    "POST /api/v1/auth/logout": "logout",
    "GET /.well-known/jwks.json": "jwks",
    "GET /api/v1/audit-events": "list_audit_events",
    # jobs (the default with PostgreSQL): long-running operations and the example that starts one
    "GET /api/v1/operations": "list_operations",
    "GET /api/v1/operations/{operation_id}": "get_operation",
    "POST /api/v1/items/{item_id}/exports": "export_item",
}
TARGET_SCHEMAS = {
    "Item",
    "ItemIn",
    "ItemPatch",
    "ItemPage",
    "Problem",
    "ValidationProblem",
    "FieldError",
    "CheckResult",
    "ItemStatus",
}
# The default answers (auth=users): every item has an owner, a status and an optional availability date.
ITEM_FIELDS = {
    *("id", "name", "description", "price_cents", "tags", "sku", "created_at", "updated_at"),
    *("owner_id", "status", "available_at"),
}


@dataclass
class Services:
    """One running service per framework, started on first use (the FastAPI-only checks never start Django)."""

    projects: ProjectFactory
    log_root: Path
    running: dict[str, Service] = field(default_factory=dict)

    def __getitem__(self, framework: str) -> Service:
        if framework not in self.running:
            project = self.projects.installed(framework=framework)
            self.running[framework] = start_service(
                project, self.log_root / framework, MAX_BODY_SIZE="1048576", PUBLIC_URL=PUBLIC_URL
            )
        return self.running[framework]

    def document(self, framework: str) -> dict[str, Any]:
        response = httpx.get(f"{self[framework].base_url}/openapi.json", timeout=30)
        assert response.status_code == 200, response.text
        spec: dict[str, Any] = response.json()
        return spec


@pytest.fixture(scope="module")
def services(projects: ProjectFactory, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("parity")
    for framework in FRAMEWORKS:
        (root / framework).mkdir()
    running = Services(projects, root)
    yield running
    for service in running.running.values():
        service.kill()


@pytest.fixture(scope="module")
def documents(services: Services) -> dict[str, dict[str, Any]]:
    return {framework: services.document(framework) for framework in FRAMEWORKS}


# --- what a generated client depends on, read from a document ------------------------------------------------


def operations(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def operation_ids(spec: dict[str, Any]) -> dict[str, Any]:
    return {key: operation.get("operationId") for key, operation in operations(spec).items()}


def documented_statuses(spec: dict[str, Any]) -> dict[str, Any]:
    return {key: sorted(operation["responses"]) for key, operation in operations(spec).items()}


def request_media_types(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        key: sorted(operation.get("requestBody", {}).get("content", {})) for key, operation in operations(spec).items()
    }


def request_schemas(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        key: {media: content.get("schema") for media, content in operation["requestBody"]["content"].items()}
        for key, operation in operations(spec).items()
        if "requestBody" in operation
    }


def schema_names(spec: dict[str, Any]) -> dict[str, Any]:
    return dict.fromkeys(spec.get("components", {}).get("schemas", {}), True)


def required_fields(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        name: sorted(schema.get("required", []))
        for name, schema in spec.get("components", {}).get("schemas", {}).items()
    }


def field_formats(spec: dict[str, Any]) -> dict[str, Any]:
    """What a client parses each field of the items' schemas as: its formats and enum values (through a reference
    to an enum component, however the document spells the reference)."""
    schemas = spec.get("components", {}).get("schemas", {})

    def describe(field: dict[str, Any]) -> dict[str, Any]:
        alternatives = [field, *field.get("allOf", []), *field.get("anyOf", []), *field.get("oneOf", [])]
        targets = [schemas[alt["$ref"].rpartition("/")[2]] for alt in alternatives if "$ref" in alt] or alternatives
        return {
            "formats": sorted({alt["format"] for alt in alternatives if "format" in alt}),
            "enum": next((target["enum"] for target in targets if "enum" in target), None),
        }

    return {
        f"{name}.{field_name}": describe(field)
        for name, schema in schemas.items()
        if name.startswith("Item")
        for field_name, field in schema.get("properties", {}).items()
    }


def differences(views: dict[str, dict[str, Any]]) -> list[str]:
    """One line per key on which the frameworks disagree (a key missing on one side shows as `-`)."""
    keys = sorted(set().union(*views.values()))
    lines = []
    for key in keys:
        values = {framework: view.get(key, "-") for framework, view in views.items()}
        if len({json.dumps(value, sort_keys=True) for value in values.values()}) > 1:
            lines.append(f"{key}: " + "; ".join(f"{framework}={value}" for framework, value in values.items()))
    return lines


# --- the FastAPI document alone: the target names ------------------------------------------------------------


def test_fastapi_document_uses_the_target_names(services: Services) -> None:
    spec = services.document("fastapi")
    assert operation_ids(spec) == TARGET_OPERATION_IDS
    schemas = spec["components"]["schemas"]
    assert schemas.keys() >= TARGET_SCHEMAS
    assert set(schemas["Item"]["required"]) == ITEM_FIELDS
    assert schemas["ItemStatus"]["enum"] == ["draft", "active", "archived"]
    bodies = request_schemas(spec)
    token_form = bodies.pop("POST /api/v1/auth/token")["application/x-www-form-urlencoded"]
    assert token_form["required"] == ["grant_type"]
    assert bodies == {
        **{
            key: {"application/json": {"$ref": "#/components/schemas/ItemIn"}}
            for key in ("POST /api/v1/items", "PUT /api/v1/items/{item_id}")
        },
        "PATCH /api/v1/items/{item_id}": {"application/json": {"$ref": "#/components/schemas/ItemPatch"}},
        **{
            key: {"application/json": {"$ref": f"#/components/schemas/{name}"}}
            for key, name in (
                ("POST /api/v1/users", "UserIn"),
                ("PATCH /api/v1/users/me", "MePatch"),
                ("PATCH /api/v1/users/{user_id}", "UserPatch"),
                ("POST /api/v1/auth/login", "LoginIn"),
                ("POST /api/v1/auth/refresh", "RefreshIn"),
                ("POST /api/v1/auth/verify", "VerifyIn"),
            )
        },
    }
    checks = schemas["Readiness"]["properties"]["checks"]
    assert checks["additionalProperties"] == {"$ref": "#/components/schemas/CheckResult"}


# --- the two documents against each other --------------------------------------------------------------------

ASPECTS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "operations": lambda spec: dict.fromkeys(operations(spec), True),
    "operation ids": operation_ids,
    "documented statuses": documented_statuses,
    "schema names": schema_names,
    "required fields": required_fields,
    "request media types": request_media_types,
    "request schemas": request_schemas,
    "field formats": field_formats,
    # Each resource describes its own tag in its package (FastAPI: its router; Django: its AppConfig).
    "tags": lambda spec: (
        {tag["name"]: tag.get("description") for tag in spec.get("tags", [])}
        | {" order": [tag["name"] for tag in spec.get("tags", [])]}
    ),
    "operation tags": lambda spec: {key: operation.get("tags") for key, operation in operations(spec).items()},
    # Not compared: the 401/403 refusals (each framework words its runtime refusal its own way) and readiness.
    "problem example details": lambda spec: {
        f"{key} {status}": example.get("detail")
        for key, operation in operations(spec).items()
        for status, example in problem_examples(operation)
        if status not in ("401", "403") and " /api/" in key
    },
    "servers": lambda spec: {"servers": spec.get("servers")},
}


@pytest.mark.parametrize("aspect", list(ASPECTS))
def test_both_documents_agree(documents: dict[str, dict[str, Any]], aspect: str) -> None:
    read = ASPECTS[aspect]
    found = differences({framework: read(spec) for framework, spec in documents.items()})
    assert not found, f"the {aspect} differ:\n" + "\n".join(found)


@pytest.fixture(scope="module")
def users_documents(projects: ProjectFactory, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Each framework's document with `auth=users`: the accounts routes (token, logout, keys, users) join it."""
    found = {}
    for framework in FRAMEWORKS:
        log_dir = tmp_path_factory.mktemp(f"users-{framework}")
        service = start_service(projects.installed(framework=framework, auth="users"), log_dir, PUBLIC_URL=PUBLIC_URL)
        try:
            response = httpx.get(f"{service.base_url}/openapi.json", timeout=30)
            assert response.status_code == 200, response.text
            found[framework] = response.json()
        finally:
            service.kill()
    return found


@pytest.mark.parametrize("aspect", list(ASPECTS))
def test_both_users_documents_agree(users_documents: dict[str, dict[str, Any]], aspect: str) -> None:
    read = ASPECTS[aspect]
    found = differences({framework: read(spec) for framework, spec in users_documents.items()})
    assert not found, f"the {aspect} differ with auth=users:\n" + "\n".join(found)


def test_users_documents_describe_the_accounts_routes(users_documents: dict[str, dict[str, Any]]) -> None:
    for framework, spec in users_documents.items():
        ids = operation_ids(spec)
        assert ids.get("POST /api/v1/auth/token") == "issue_token", framework
        assert ids.get("GET /api/v1/users/me") == "get_me", framework
        assert ids.get("GET /api/v1/audit-events") == "list_audit_events", framework
        schemas = spec["components"]["schemas"]  # an account's roles (roles.py), shown and given
        assert "roles" in schemas["User"]["required"], framework
        for given in ("UserIn", "UserPatch"):
            assert "roles" in schemas[given]["properties"], (framework, given)
        flows = spec["components"]["securitySchemes"]["bearerAuth"]["flows"]
        assert flows["password"]["tokenUrl"] == "/api/v1/auth/token", framework


def test_both_documents_name_public_url_as_their_server(documents: dict[str, dict[str, Any]]) -> None:
    for framework, spec in documents.items():
        assert spec.get("servers") == [{"url": PUBLIC_URL}], framework


def test_both_services_answer_the_same_index(services: Services) -> None:
    answers = {framework: httpx.get(f"{services[framework].base_url}/", timeout=10) for framework in FRAMEWORKS}
    for framework, response in answers.items():
        assert response.status_code == 200, f"{framework}: {response.text}"
    bodies = {framework: response.json() for framework, response in answers.items()}
    assert bodies["fastapi"] == bodies["django"]
    assert bodies["fastapi"]["links"]["health"] == f"{PUBLIC_URL}/health"


def test_both_documents_name_the_target_operation_ids(documents: dict[str, dict[str, Any]]) -> None:
    found = differences({"target": TARGET_OPERATION_IDS, **{fw: operation_ids(spec) for fw, spec in documents.items()}})
    assert not found, "operationIds differ from the route names:\n" + "\n".join(found)


def problem_examples(operation: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(status, example) for every problem+json example: one `example`, or named `examples` (drf-spectacular)."""
    for status, response in operation["responses"].items():
        media = response.get("content", {}).get("application/problem+json", {})
        if "example" in media:
            yield status, media["example"]
        for named in media.get("examples", {}).values():
            yield status, named["value"]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_problem_examples_belong_to_their_operation(documents: dict[str, dict[str, Any]], framework: str) -> None:
    """A 404 of an item shows that item's path; a GET's 422 names a parameter, not a body field."""
    wrong = []
    for key, operation in operations(documents[framework]).items():
        path = key.split(" ", 1)[1]
        own_path = re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)))
        for status, example in problem_examples(operation):
            if not own_path.fullmatch(str(example.get("instance"))):
                wrong.append(f"{key} {status}: instance {example.get('instance')}")
            body_fields = [error["field"] for error in example.get("errors", []) if error["field"].startswith("body")]
            if body_fields and "requestBody" not in operation:
                wrong.append(f"{key} {status}: names {body_fields} but takes no body")
    assert not wrong, f"{framework}: examples that do not match their operation:\n" + "\n".join(wrong)


# --- the same odd request, the same answer ---------------------------------------------------------------------

JSON = {"content-type": "application/json"}
ITEM_BYTES = json.dumps(ITEM).encode()


@dataclass(frozen=True)
class Odd:
    """A request both services get; `expected` is the status the contract asks for (None: only compare)."""

    method: str
    path: str
    expected: int | None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


ODD_REQUESTS = {
    "text/plain body to POST": Odd("POST", "/api/v1/items", 415, ITEM_BYTES, {"content-type": "text/plain"}),
    "text/plain body to PUT": Odd("PUT", "{item}", 415, ITEM_BYTES, {"content-type": "text/plain"}),
    "body without a content type": Odd("POST", "/api/v1/items", 415, ITEM_BYTES),
    "form body": Odd("POST", "/api/v1/items", 415, b"name=x", {"content-type": "application/x-www-form-urlencoded"}),
    "+json media type": Odd("POST", "/api/v1/items", 415, ITEM_BYTES, {"content-type": "application/merge-patch+json"}),
    "json with charset": Odd(
        "POST", "/api/v1/items", 201, ITEM_BYTES, {"content-type": "application/json; charset=utf-8"}
    ),
    "NUL byte in name": Odd("POST", "/api/v1/items", 422, json.dumps({**ITEM, "name": "a\x00b"}).encode(), JSON),
    "NUL byte in description": Odd(
        "POST", "/api/v1/items", 422, json.dumps({**ITEM, "description": "a\x00b"}).encode(), JSON
    ),
    "trailing slash on the collection": Odd("GET", "/api/v1/items/", 404),
    "trailing slash on an item": Odd("GET", "{item}/", 404),
    "JSON nested 2,000 deep": Odd("POST", "/api/v1/items", 400, b"[" * 2000 + b"]" * 2000, JSON),
    "invalid JSON": Odd("POST", "/api/v1/items", 400, b'{"name": ', JSON),
    "empty JSON body": Odd("POST", "/api/v1/items", 422, b"", JSON),
    "JSON array body": Odd("POST", "/api/v1/items", 422, b"[]", JSON),
    "unknown field": Odd("POST", "/api/v1/items", 422, json.dumps({**ITEM, "owner": "x"}).encode(), JSON),
    "wrong type": Odd("POST", "/api/v1/items", 422, json.dumps({**ITEM, "price_cents": "12"}).encode(), JSON),
    "blank name": Odd("POST", "/api/v1/items", 422, json.dumps({**ITEM, "name": "  "}).encode(), JSON),
    "oversized body": Odd("POST", "/api/v1/items", 413, b"x" * 2_000_000, JSON),
    "id that is not a UUID": Odd("GET", "/api/v1/items/not-a-uuid", 422),
    "limit over the maximum": Odd("GET", "/api/v1/items?limit=101", 422),
    "unknown item": Odd("GET", f"/api/v1/items/{uuid.UUID(int=7)}", 404),
    "HEAD": Odd("HEAD", "/api/v1/items", 200),
    "HEAD of an item": Odd("HEAD", "{item}", 200),
    "method no route has": Odd("PURGE", "/api/v1/items", 405),
    "method the server does not know": Odd("BREW", "/api/v1/items", None),
    "OPTIONS without CORS": Odd("OPTIONS", "/api/v1/items", 405),
    "DELETE on a read-only path": Odd("DELETE", "/health/live", 405),
    "unknown path": Odd("GET", "/api/v1/nothing-here", 404),
}


def answer(service: Service, odd: Odd, client_address: str) -> dict[str, Any]:
    # Each case plays its own client (the service trusts X-Forwarded-For from 127.0.0.1): no rate limit budget is
    # shared between cases, so the answers do not depend on their order.
    with service.client(headers=service.as_client(client_address)) as client:
        path = odd.path
        if "{item}" in path:
            created = client.post("/api/v1/items", json=ITEM)
            assert created.status_code == 201, created.text
            path = path.replace("{item}", f"/api/v1/items/{created.json()['id']}")
        response = client.request(odd.method, path, content=odd.content, headers=odd.headers)
    media_type = response.headers.get("content-type", "").partition(";")[0].strip()
    seen: dict[str, Any] = {"status": response.status_code, "media type": media_type}
    if response.status_code == 422 and media_type == "application/problem+json" and odd.content != b"":
        # A missing body is one error for FastAPI (`body`), the body's required fields for DRF: both a 422.
        seen["invalid fields"] = sorted(error["field"] for error in response.json().get("errors", []))
    return seen


@pytest.mark.parametrize("case", list(ODD_REQUESTS))
def test_the_same_odd_request_gets_the_same_answer(services: Services, case: str) -> None:
    odd = ODD_REQUESTS[case]
    address = f"198.51.100.{list(ODD_REQUESTS).index(case) + 1}"
    answers = {framework: answer(services[framework], odd, address) for framework in FRAMEWORKS}
    found = differences(answers)
    assert not found, f"{case}: the frameworks answer differently:\n" + "\n".join(found)
    if odd.expected is not None:
        assert answers["fastapi"]["status"] == odd.expected, answers


# --- resources a team adds: the same bookings and parties in both frameworks ---------------------------------------
# Each framework's default render grown by `resource add bookings` (issue 51's bound: a `starts_at`, a confirmation
# email, a `bookings.confirmed` event) and `resource add parties` (a rule of their own, a status enum and a custom
# action), with the same edits by hand (tests/growth.py; the growth tests in tests/test_new_resource.py run `make
# check` on the same projects, grown once in this group).
GROWN_COLLECTIONS = {"bookings": "Booking", "parties": "Party"}


@pytest.fixture(scope="module")
def grown_services(grown: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Service]]:
    running: dict[str, Service] = {}
    try:
        for framework in FRAMEWORKS:
            log_dir = tmp_path_factory.mktemp(f"grown-{framework}")
            running[framework] = start_service(grown[framework].project, log_dir, PUBLIC_URL=PUBLIC_URL)
        yield running
    finally:
        for service in running.values():
            service.kill()


def grown_only(spec: dict[str, Any]) -> dict[str, Any]:
    """The grown resources' part of a document: their operations, their schemas (`Booking...`, `Party...`) and tags."""
    schemas = spec.get("components", {}).get("schemas", {})
    paths = tuple(f"/api/v1/{collection}" for collection in GROWN_COLLECTIONS)
    return {
        **spec,
        "paths": {path: item for path, item in spec["paths"].items() if path.startswith(paths)},
        "components": {
            "schemas": {
                name: schema for name, schema in schemas.items() if name.startswith(tuple(GROWN_COLLECTIONS.values()))
            }
        },
        "tags": [tag for tag in spec.get("tags", []) if tag["name"] in GROWN_COLLECTIONS],
    }


def field_types(spec: dict[str, Any]) -> dict[str, Any]:
    """What a client parses each field of every schema as: its JSON types (null when it may be missing), formats and
    enum values, through references however the document spells them (`$ref`, `allOf`, `anyOf`)."""
    schemas = spec.get("components", {}).get("schemas", {})

    def describe(field: dict[str, Any]) -> dict[str, Any]:
        alternatives = [field, *field.get("allOf", []), *field.get("anyOf", []), *field.get("oneOf", [])]
        alternatives += [schemas[alt["$ref"].rpartition("/")[2]] for alt in alternatives if "$ref" in alt]
        types = {
            kind
            for alt in alternatives
            for kind in ([alt["type"]] if isinstance(alt.get("type"), str) else alt.get("type", []))
        }
        return {
            "types": sorted(types),
            "formats": sorted({alt["format"] for alt in alternatives if "format" in alt}),
            "enum": next((alt["enum"] for alt in alternatives if "enum" in alt), None),
        }

    return {
        f"{name}.{field_name}": describe(field)
        for name, schema in schemas.items()
        for field_name, field in schema.get("properties", {}).items()
    }


BOOKINGS_ASPECTS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    **{aspect: read for aspect, read in ASPECTS.items() if aspect not in ("field formats", "servers")},
    "field types": field_types,
}


@pytest.fixture(scope="module")
def grown_documents(grown_services: dict[str, Service]) -> dict[str, dict[str, Any]]:
    found = {}
    for framework, service in grown_services.items():
        response = httpx.get(f"{service.base_url}/openapi.json", timeout=30)
        assert response.status_code == 200, response.text
        found[framework] = grown_only(response.json())
    return found


def test_the_grown_documents_describe_bookings_and_parties(grown_documents: dict[str, dict[str, Any]]) -> None:
    for framework, spec in grown_documents.items():
        assert operation_ids(spec)["POST /api/v1/parties/{party_id}/cancel"] == "cancel_party", framework
        assert documented_statuses(spec)["POST /api/v1/parties/{party_id}/cancel"][:4] == [
            "200",
            "401",
            "403",
            "404",
        ]
        assert field_types(spec)["Party.status"]["enum"] == ["confirmed", "cancelled"], framework
        assert field_types(spec)["PartyIn.starts_at"]["formats"] == ["date-time"], framework
        assert field_types(spec)["BookingIn.starts_at"]["formats"] == ["date-time"], framework


@pytest.mark.parametrize("aspect", list(BOOKINGS_ASPECTS))
def test_both_grown_documents_agree_on_bookings(grown_documents: dict[str, dict[str, Any]], aspect: str) -> None:
    read = BOOKINGS_ASPECTS[aspect]
    found = differences({framework: read(spec) for framework, spec in grown_documents.items()})
    assert not found, f"the grown resources' {aspect} differ:\n" + "\n".join(found)


def test_both_grown_services_describe_the_bookings_confirmed_event_alike(grown_services: dict[str, Service]) -> None:
    """The bound's `bookings.confirmed` (bookings/events.py) is in each service's AsyncAPI document, the same."""
    messages = {}
    for framework, service in grown_services.items():
        response = httpx.get(f"{service.base_url}/asyncapi.json", timeout=30)
        assert response.status_code == 200, response.text
        document = response.json()
        messages[framework] = document["components"]["messages"]["bookings.confirmed"]
        received = document["operations"]["receiveEvents"]["messages"]
        assert {"$ref": "#/channels/events/messages/bookings.confirmed"} in received, framework
    assert messages["fastapi"]["payload"]["required"] == ["type", "id", "name"]
    found = differences(messages)
    assert not found, "the bookings.confirmed messages differ:\n" + "\n".join(found)


BOOKING_SCOPES = ("bookings:read", "bookings:write")
PARTY_SCOPES = ("parties:read", "parties:write")


def seen(response: httpx.Response, *read: str) -> dict[str, Any]:
    """What a client sees of an answer: its status and media type, the fields of its body, the fields a 422 names
    and the values of the body's `read` fields."""
    media_type = response.headers.get("content-type", "").partition(";")[0].strip()
    body = response.json() if response.content else None
    view: dict[str, Any] = {"http status": response.status_code, "media type": media_type}
    if isinstance(body, dict):
        view["fields"] = sorted(body)
        view |= {key: body.get(key) for key in read}
        if response.status_code == 422:
            view["invalid"] = sorted(error["field"] for error in body.get("errors", []))
    return view


def booking_answers(service: Service) -> dict[str, Any]:
    """The same requests about bookings (the bound's) and parties (a rule, a status and a custom action of their
    own), from an owner and from another caller, and what each service answers."""
    auth = service.project.answers["auth"]
    # Subjects that name no account: the confirmation job a booking defers finds nobody to email.
    owner, other = (bearer(str(uuid.uuid4()), (*BOOKING_SCOPES, *PARTY_SCOPES), auth=auth) for _ in range(2))
    now = datetime.now(UTC)
    later, past = (now + timedelta(days=3)).isoformat(), (now - timedelta(days=1)).isoformat()
    answers = {}
    with httpx.Client(base_url=service.base_url, timeout=10) as client:
        booking = client.post("/api/v1/bookings", json={"name": "Table", "starts_at": later}, headers=owner)
        answers["booking created"] = seen(booking, "name")
        answers["booking without an offset"] = seen(
            client.post("/api/v1/bookings", json={"name": "Naive", "starts_at": later[:19]}, headers=owner)
        )
        collection = "/api/v1/parties"
        refused = {
            "starts in the past": {"name": "Late", "starts_at": past},
            "starts without an offset": {"name": "Naive", "starts_at": later[:19]},
            "sends a status": {"name": "Sneaky", "starts_at": later, "status": "cancelled"},
            "starts as a number": {"name": "Number", "starts_at": 1},
        }
        for case, body in refused.items():
            answers[case] = seen(client.post(collection, json=body, headers=owner), "detail")
            if case == "starts in the past":  # the service's own rule: the same words in both
                answers[case] |= seen(client.post(collection, json=body, headers=owner), "errors")
        created = client.post(collection, json={"name": "Table", "starts_at": later}, headers=owner)
        answers["created"] = seen(created, "status", "name")
        one = f"{collection}/{created.json()['id']}"
        answers["status patched"] = seen(client.patch(one, json={"status": "cancelled"}, headers=owner))
        answers["another's cancel"] = seen(client.post(f"{one}/cancel", headers=other))
        cancelled = client.post(f"{one}/cancel", headers=owner)
        answers["cancelled"] = seen(cancelled, "status", "name") | {"etag": cancelled.headers.get("ETag")}
        answers["cancelled again"] = seen(client.post(f"{one}/cancel", headers=owner), "detail", "status", "title")
        answers["read after"] = seen(client.get(one, headers=owner), "status")
        answers["cancel of a malformed id"] = seen(client.post(f"{collection}/not-a-uuid/cancel", headers=owner))
        answers["cancel of an unknown id"] = seen(client.post(f"{collection}/{uuid.UUID(int=9)}/cancel", headers=owner))
    return answers


def test_both_grown_services_answer_bookings_alike(grown_services: dict[str, Service]) -> None:
    answers = {framework: booking_answers(service) for framework, service in grown_services.items()}
    found = differences(answers)
    assert not found, "the grown resources' answers differ:\n" + "\n".join(found)
    fastapi = answers["fastapi"]
    cases = ("booking created", "booking without an offset", "created", "cancelled", "cancelled again")
    cases += ("another's cancel", "starts in the past")
    assert [fastapi[case]["http status"] for case in cases] == [201, 422, 201, 200, 409, 404, 422]
    assert fastapi["cancelled again"]["media type"] == "application/problem+json"
    assert fastapi["starts in the past"]["invalid"] == ["body.starts_at"]
