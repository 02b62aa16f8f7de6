"""The users API answers what its OpenAPI document says: every body the document allows is taken, or refused only
for a reason the document states, and every refusal the service may answer is documented."""

from __future__ import annotations

from typing import Any

import pytest

from ..conftest import HTTPClient, HTTPClientFactory
from ..tokens import bearer_header

pytestmark = pytest.mark.django_db
USERS = "/api/v1/users"
NEW = {"email": "doc@example.com", "password": "an uncommon passphrase of the tests"}


def schemas(http: HTTPClient) -> dict[str, Any]:
    response = http.get("/openapi.json")
    assert response.status_code == 200
    found: dict[str, Any] = response.json()["components"]["schemas"]
    return found


def invalid_fields(response: Any) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def test_delete_on_me_is_a_method_me_does_not_allow(http: HTTPClient) -> None:
    # `/users/me` is not `/users/{user_id}` with the id "me": the document has no DELETE there, so 405 and Allow.
    response = http.delete(f"{USERS}/me")
    assert response.status_code == 405, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert {"GET", "PATCH"} <= {method.strip() for method in response.headers["allow"].split(",")}
    assert http.delete(f"{USERS}/not-a-uuid").status_code == 422  # any other malformed id: the route's 422


def test_the_document_says_which_emails_are_taken(http: HTTPClient) -> None:
    for name in ("UserIn", "UserPatch"):
        email = schemas(http)[name]["properties"]["email"]
        assert (email["type"], email["format"], email["maxLength"]) == ("string", "email", 254), name
    empty = http.post(USERS, json={**NEW, "email": ""})
    assert (empty.status_code, invalid_fields(empty)) == (422, ["body.email"])
    assert http.post(USERS, json=NEW).status_code == 201


@pytest.mark.parametrize("name", ["UserPatch", "MePatch"])
def test_no_field_of_a_partial_update_is_documented_nullable(http: HTTPClient, name: str) -> None:
    for field, schema in schemas(http)[name]["properties"].items():
        assert "anyOf" not in schema, field
        assert schema.get("type") != "null", field
        assert "default" not in schema, field


@pytest.mark.parametrize("field", ["email", "full_name", "scopes", "is_active", "password"])
def test_a_null_in_a_partial_update_is_refused_as_invalid(http: HTTPClient, field: str) -> None:
    user = http.post(USERS, json=NEW).json()
    response = http.request("PATCH", f"{USERS}/{user['id']}", json={field: None})
    assert (response.status_code, invalid_fields(response)) == (422, [f"body.{field}"])


@pytest.mark.parametrize("value", ["yes", "true", "false", 1, 0, "on"])
def test_a_boolean_is_json_true_or_false_as_the_document_says(http: HTTPClient, value: Any) -> None:
    """DRF's own BooleanField would take each of these (and FastAPI's service refuses them): only `true` and `false`
    are booleans."""
    documented = schemas(http)
    for name, field in (("UserIn", "is_active"), ("UserPatch", "is_active"), ("UserPatch", "is_verified")):
        assert documented[name]["properties"][field]["type"] == "boolean", (name, field)
    created = http.post(USERS, json={**NEW, "is_active": value})
    assert (created.status_code, invalid_fields(created)) == (422, ["body.is_active"])
    assert created.headers["content-type"].startswith("application/problem+json")
    user = http.post(USERS, json=NEW).json()
    for field in ("is_active", "is_verified"):
        changed = http.request("PATCH", f"{USERS}/{user['id']}", json={field: value})
        assert (changed.status_code, invalid_fields(changed)) == (422, [f"body.{field}"]), field
    assert http.request("PATCH", f"{USERS}/{user['id']}", json={"is_verified": False}).json()["is_verified"] is False


@pytest.mark.parametrize("field", ["full_name", "password", "current_password"])
def test_a_null_in_a_change_to_ones_own_account_is_refused_as_invalid(http: HTTPClient, field: str) -> None:
    user = http.post(USERS, json=NEW).json()
    response = http.request("PATCH", f"{USERS}/me", json={field: None}, headers=bearer_header(user["id"]))
    assert (response.status_code, invalid_fields(response)) == (422, [f"body.{field}"])


@pytest.mark.parametrize("parameter", ["offset", "limit"])
def test_an_empty_page_parameter_is_not_an_integer(http: HTTPClient, parameter: str) -> None:
    for path in (USERS, "/api/v1/items"):
        response = http.get(f"{path}?{parameter}=")
        assert (response.status_code, invalid_fields(response)) == (422, [f"query.{parameter}"]), path


def test_the_token_endpoint_documents_its_429_with_the_rate_limit_off(http_for: HTTPClientFactory) -> None:
    # The login budgets (AUTH_LOGIN_LIMIT_PER_ADDRESS, _PER_ACCOUNT) apply whether or not RATE_LIMIT_ENABLED is.
    document = http_for(rate_limit_enabled=False).get("/openapi.json").json()
    assert "429" in document["paths"]["/api/v1/auth/token"]["post"]["responses"]
