"""The token endpoint's language (RFC 6749): the form a client posts, parsed into a typed grant, the errors it
may get back (`OAuthError`, which the framework turns into a 400 problem+json carrying RFC 6749's `error`), and the
200 body.

The JSON sign-in endpoints (`POST /api/v1/auth/login` and `/api/v1/auth/refresh`) speak the same language: their
validated bodies become the same grants through `password_grant_from` and `refresh_grant_from`, which the form's
parser uses too, so a grant gets the same checks and errors whichever endpoint carried it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from .tokens import MAX_REFRESH_TOKEN_LENGTH, AccessToken

ErrorCode = Literal["invalid_request", "invalid_grant", "unsupported_grant_type", "invalid_scope"]

MAX_USERNAME_LENGTH: Final = 320
MAX_PASSWORD_LENGTH: Final = 1024
"""A longer password is refused before it is hashed: argon2 of a megabyte is a cheap way to burn CPU."""
MAX_SCOPE_LENGTH: Final = 1024
_SCOPE_TOKEN: Final = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")  # RFC 6749 section 3.3
SCOPE_NAME: Final = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]{1,64}")
"""A scope an account may hold (RFC 6749 section 3.3, at most 64 characters), as the users API, the settings and
the roles (roles.py) accept it."""

INVALID_CREDENTIALS: Final = "The email or password is wrong, or the account is disabled"
"""The one answer to an unknown email, a wrong password and an inactive account alike."""
INVALID_REFRESH: Final = "The refresh token is not valid (unknown, expired, spent or revoked): log in again"


class OAuthError(Exception):
    """A refused token request: `error` is RFC 6749's code (section 5.2), `detail` the sentence for people, `status`
    400 (415 for a body that is not a form, like every other endpoint's unexpected media type)."""

    def __init__(self, error: ErrorCode, detail: str, *, status: int = 400) -> None:
        super().__init__(detail)
        self.error = error
        self.detail = detail
        self.status = status


@dataclass(frozen=True, slots=True)
class PasswordGrant:
    username: str
    password: str
    scopes: frozenset[str] | None
    """The scopes asked for; None when the request named none (it gets every scope the user holds)."""


@dataclass(frozen=True, slots=True)
class RefreshGrant:
    refresh_token: str
    scopes: frozenset[str] | None


Grant = PasswordGrant | RefreshGrant


def parse_grant(form: Mapping[str, str | list[str]]) -> Grant:
    """The grant a token request's form describes; `OAuthError` otherwise. A parameter sent twice is an error
    (RFC 6749 section 3.2), and a value is never echoed back (it may be a password)."""
    grant_type = _one(form, "grant_type")
    if grant_type == "password":
        return password_grant_from(_one(form, "username"), _one(form, "password", strip=False), _scope_text(form))
    if grant_type == "refresh_token":
        return refresh_grant_from(_one(form, "refresh_token"), _scope_text(form))
    raise OAuthError("unsupported_grant_type", "grant_type must be password or refresh_token")


def password_grant_from(
    username: str, password: str, scope: str | None, *, username_field: str = "username"
) -> PasswordGrant:
    """A password grant (the form's `username`, the JSON login's `email`: `username_field` names it in errors), or
    `OAuthError`. `scope`: the space-separated scopes asked for, None when none were named."""
    username = _present(username_field, username.strip())
    password = _present("password", password)
    if len(username) > MAX_USERNAME_LENGTH or len(password) > MAX_PASSWORD_LENGTH:
        raise OAuthError("invalid_grant", INVALID_CREDENTIALS)
    return PasswordGrant(username=username, password=password, scopes=_scopes(scope))


def refresh_grant_from(refresh_token: str, scope: str | None) -> RefreshGrant:
    """A refresh grant, or `OAuthError` (see `password_grant_from`)."""
    token = _present("refresh_token", refresh_token.strip())
    if len(token) > MAX_REFRESH_TOKEN_LENGTH:
        raise OAuthError("invalid_grant", INVALID_REFRESH)
    return RefreshGrant(refresh_token=token, scopes=_scopes(scope))


def _one(form: Mapping[str, str | list[str]], name: str, *, strip: bool = True) -> str:
    value = form.get(name)
    if isinstance(value, list):
        if len(value) != 1:
            raise OAuthError("invalid_request", f"{name} is sent more than once")
        value = value[0]
    if value is None:
        raise OAuthError("invalid_request", f"{name} is required")
    return _present(name, value.strip() if strip else value)


def _present(name: str, value: str) -> str:
    if value == "":
        raise OAuthError("invalid_request", f"{name} is required")
    if "\x00" in value:  # no email, password or token has one, and PostgreSQL cannot even compare text holding it
        raise OAuthError("invalid_request", f"{name} contains a NUL character")
    return value


def _scope_text(form: Mapping[str, str | list[str]]) -> str | None:
    """The form's `scope`: None when it is not sent, "" when it is sent empty."""
    if form.get("scope") is None:
        return None
    return _one(form, "scope") if form.get("scope") not in ("", [""]) else ""


def _scopes(text: str | None) -> frozenset[str] | None:
    if text is None:
        return None
    if "\x00" in text:
        raise OAuthError("invalid_request", "scope contains a NUL character")
    if len(text) > MAX_SCOPE_LENGTH:
        raise OAuthError("invalid_scope", f"scope is over {MAX_SCOPE_LENGTH} characters")
    scopes = text.split()
    if not all(_SCOPE_TOKEN.fullmatch(scope) for scope in scopes):
        raise OAuthError("invalid_scope", "scope is a space-separated list of scope names")
    return frozenset(scopes)


def granted_scopes(held: Iterable[str], requested: frozenset[str] | None) -> frozenset[str]:
    """The scopes a token gets: those requested that the user holds, all held when none were requested (RFC 6749
    section 3.3 lets the server issue fewer than asked; the response's `scope` says which)."""
    held = frozenset(held)
    return held if requested is None else held & requested


def refreshed_scopes(
    held: Iterable[str], asked: Iterable[str] | None, requested: frozenset[str] | None
) -> tuple[frozenset[str], frozenset[str] | None]:
    """What a refresh renews, and the ask that binds the refreshes after it. `held`: what the account holds now (its
    scopes and its roles'); `asked`: what its sign-in (or an earlier refresh) asked for, None for everything held. A
    scope taken from the account since is dropped; one given since arrives unless the sign-in named its scopes. A
    refresh may narrow the ask, never widen it: asking for a scope outside it is `invalid_scope` (RFC 6749 section 6:
    the scope "MUST NOT include any scope not originally granted")."""
    held = frozenset(held)
    bound = None if asked is None else frozenset(asked)
    if requested is not None:
        if not requested <= (held if bound is None else bound):
            raise OAuthError("invalid_scope", "A refresh cannot add scopes the login did not grant")
        bound = requested
    return (held if bound is None else held & bound), bound


def token_response(access: AccessToken, refresh_token: str, *, now: float) -> dict[str, Any]:
    """The 200 body of RFC 6749 section 5.1 (send it with `Cache-Control: no-store`)."""
    return {
        "access_token": access.token,
        "token_type": "bearer",
        "expires_in": max(0, access.expires_at - int(now)),
        "refresh_token": refresh_token,
        "scope": " ".join(access.scopes),
    }


NO_STORE_HEADERS: Final = {"Cache-Control": "no-store", "Pragma": "no-cache"}


# --- what the token endpoint's OpenAPI operation says (the same in every framework) ------------------------------

FORM_MEDIA_TYPE: Final = "application/x-www-form-urlencoded"
TOO_MANY_LOGINS_DETAIL: Final = "Too many login attempts: wait Retry-After seconds"
TOKEN_REQUEST_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["grant_type"],
    "properties": {
        "grant_type": {"type": "string", "enum": ["password", "refresh_token"]},
        "username": {"type": "string", "description": "The account's email (grant_type=password)"},
        "password": {"type": "string", "format": "password", "writeOnly": True},
        "refresh_token": {"type": "string", "description": "grant_type=refresh_token"},
        "scope": {"type": "string", "description": "Space-separated scopes wanted (default: all the account holds)"},
    },
}
TOKEN_RESPONSE_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["access_token", "token_type", "expires_in", "refresh_token", "scope"],
    "properties": {
        "access_token": {"type": "string", "description": "A JWT: send it as `Authorization: Bearer <token>`"},
        "token_type": {"type": "string", "enum": ["bearer"]},
        "expires_in": {"type": "integer", "description": "Seconds the access token lives"},
        "refresh_token": {"type": "string", "description": "Single use: exchange it for the next pair"},
        "scope": {"type": "string", "description": "The scopes granted, space-separated"},
    },
}


# --- what the JSON sign-in operations say (the same in every framework) ------------------------------------------

LOGIN_EXAMPLES: Final[dict[str, dict[str, Any]]] = {
    "password": {
        "summary": "Log in with an email and password",
        "value": {"email": "ada@example.com", "password": "correct horse battery staple"},
    },
    "narrower": {
        "summary": "Log in for fewer scopes than the account holds",
        "value": {"email": "ada@example.com", "password": "correct horse battery staple", "scope": "items:read"},
    },
}
REFRESH_EXAMPLES: Final[dict[str, dict[str, Any]]] = {
    "refresh": {
        "summary": "Exchange a refresh token for the next pair",
        "value": {"refresh_token": "kxW1c0Vn2Yf3m8L0b6J9sQ4pR7tU5vZ2aD8eG1hK3lM"},
    },
    "narrower": {
        "summary": "The next pair, for fewer scopes",
        "value": {"refresh_token": "kxW1c0Vn2Yf3m8L0b6J9sQ4pR7tU5vZ2aD8eG1hK3lM", "scope": "items:read"},
    },
}
EMAIL_DESCRIPTION: Final = "The account's email (any case)"
SCOPE_DESCRIPTION: Final = "Space-separated scopes wanted (default: all the account holds, or the login's on a refresh)"
REFRESH_TOKEN_DESCRIPTION: Final = "The refresh token of the last pair (single use)"  # noqa: S105 - a description
