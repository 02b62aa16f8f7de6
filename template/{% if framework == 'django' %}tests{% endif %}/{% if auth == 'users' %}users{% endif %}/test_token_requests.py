"""The token endpoint's refusals in process (the whole ASGI application): each RFC 6749 error as a problem carrying
`error`, and scopes narrowed, never widened. The real process is tests/users/test_accounts.py."""

from __future__ import annotations

from typing import Any

import pytest

from ..conftest import Client

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token"
EMAIL, PASSWORD = "lee@example.com", "lees long passphrase"


@pytest.fixture
def anonymous(asgi_client: Client) -> Client:
    from django.contrib.auth import get_user_model  # noqa: PLC0415 - the model of this service

    get_user_model().objects.create_user(EMAIL, PASSWORD, scopes=["items:read", "items:write"])
    return Client(asgi_client.app, subject=None)


def refused(client: Client, status: int = 400, **kwargs: Any) -> str:
    response = client.post(TOKEN, **kwargs)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    error: str = response.json()["error"]
    return error


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({}, "invalid_request"),
        ({"grant_type": "client_credentials"}, "unsupported_grant_type"),
        ({"grant_type": "password", "username": EMAIL}, "invalid_request"),
        ({"grant_type": "password", "username": EMAIL, "password": PASSWORD, "scope": 'a"b'}, "invalid_scope"),
        ({"grant_type": "refresh_token", "refresh_token": "made-up"}, "invalid_grant"),
        ({"grant_type": "password", "username": EMAIL, "password": "x" * 2000}, "invalid_grant"),
    ],
)
def test_each_refusal_carries_its_rfc_6749_error(anonymous: Client, form: dict[str, str], error: str) -> None:
    assert refused(anonymous, data=form) == error


def test_a_parameter_sent_twice_is_an_invalid_request(anonymous: Client) -> None:
    body = "grant_type=password&grant_type=refresh_token"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    assert refused(anonymous, content=body, headers=headers) == "invalid_request"


def test_a_body_that_is_not_a_form_is_a_415(anonymous: Client) -> None:
    assert refused(anonymous, 415, json={"grant_type": "password"}) == "invalid_request"


def test_scopes_are_narrowed_at_login_and_never_widened_by_a_refresh(anonymous: Client) -> None:
    login = {"grant_type": "password", "username": EMAIL, "password": PASSWORD, "scope": "items:read other"}
    tokens = anonymous.post(TOKEN, data=login).json()
    assert tokens["scope"] == "items:read"  # what was asked and is held
    wider = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "scope": "items:write"}
    assert refused(anonymous, data=wider) == "invalid_scope"


NUL = "\x00"


def with_nul(value: str) -> str:
    """`value` with a NUL byte inside: PostgreSQL cannot store, nor even compare, text holding one."""
    return value[:3] + NUL + value[3:]


@pytest.mark.parametrize(
    ("grant", "field"),
    [
        ("password", "grant_type"),
        ("password", "username"),
        ("password", "password"),
        ("password", "scope"),
        ("refresh_token", "grant_type"),
        ("refresh_token", "refresh_token"),
        ("refresh_token", "scope"),
    ],
)
def test_a_nul_byte_in_any_string_of_a_token_request_is_an_invalid_request(
    anonymous: Client, grant: str, field: str
) -> None:
    """Every other field is right: only the NUL byte is wrong, and it gets RFC 6749's 400, never a 500."""
    form = {"grant_type": "password", "username": EMAIL, "password": PASSWORD, "scope": "items:read"}
    if grant == "refresh_token":
        login = anonymous.post(TOKEN, data=form)
        assert login.status_code == 200, login.text
        form = {"grant_type": "refresh_token", "refresh_token": login.json()["refresh_token"], "scope": "items:read"}
    assert refused(anonymous, data={**form, field: with_nul(form[field])}) == "invalid_request"
