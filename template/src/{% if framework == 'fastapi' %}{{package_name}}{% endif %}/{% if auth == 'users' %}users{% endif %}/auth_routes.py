"""`POST /api/v1/auth/token` (RFC 6749: log in with a password, or refresh), its JSON twins `POST /api/v1/auth/login`
and `/api/v1/auth/refresh`, `POST /api/v1/auth/verify` (RFC 7662: is this access token active?),
`POST /api/v1/auth/logout` and `GET /.well-known/jwks.json` (the public keys other services verify this service's
tokens with).

The form and the JSON endpoints are two ways of carrying one grant: each turns its body into a `Grant`
(core/accounts/grants.py) and hands it to `issue_tokens`, the one place the login limits are spent and a grant is
honoured. A refresh token from either endpoint works at the other: one login, one family, one rotation."""

from __future__ import annotations

import time
from typing import Annotated, Any, Final
from urllib.parse import parse_qs

from fastapi import APIRouter, Body, Request, status
from starlette.responses import JSONResponse, Response

from ..api.auth import Principal, requires
from ..api.json_body import JSON_BODY
from ..api.paths import API_V1
from ..context import app_context
from ..core.accounts.audit import Origin
from ..core.accounts.grants import (
    FORM_MEDIA_TYPE,
    LOGIN_EXAMPLES,
    NO_STORE_HEADERS,
    REFRESH_EXAMPLES,
    TOKEN_REQUEST_SCHEMA,
    TOKEN_RESPONSE_SCHEMA,
    TOO_MANY_LOGINS_DETAIL,
    Grant,
    OAuthError,
    PasswordGrant,
    parse_grant,
    password_grant_from,
    refresh_grant_from,
)
from ..core.accounts.introspection import (
    INTROSPECTION_EXAMPLES,
    INTROSPECTION_SCHEMA,
    VERIFY_EXAMPLES,
    inactive,
    introspection,
)
from ..core.accounts.keys import JWKS_CACHE_CONTROL, SigningKeys
from ..core.accounts.login_limits import LoginLimits
from ..core.auth import InvalidToken, TokenVerifier
from ..core.limits import client_identity
from ..core.problems import PROBLEM_MEDIA_TYPE
from ..problems import problem_openapi_responses, problem_response
from ..route_guards import api_router, public
from .models import LoginIn, RefreshIn, VerifyIn
from .scopes import INTROSPECTION
from .tokens import Tokens

router = api_router(prefix=f"{API_V1}/auth", tags=["auth"], description="Logging in and out: tokens for the API.")
keys_router = APIRouter(tags=["auth"])

MAX_FORM_BYTES: Final = 4096

TOKEN_REQUEST_EXAMPLES: dict[str, Any] = {
    "password": {
        "summary": "Log in with an email and password",
        "value": {"grant_type": "password", "username": "ada@example.com", "password": "correct horse battery"},
    },
    "refresh": {
        "summary": "Exchange a refresh token for the next pair",
        "value": {"grant_type": "refresh_token", "refresh_token": "v0GwA9PU3N8NYWmxnu6R4XVEx33GydMsZqovkou5eIA"},
    },
}
_OAUTH_PROBLEM_EXAMPLE: dict[str, Any] = {
    "type": "about:blank",
    "title": "Bad Request",
    "status": 400,
    "detail": "The email or password is wrong, or the account is disabled",
    "instance": "/api/v1/auth/token",
    "request_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "error": "invalid_grant",
}


def _oauth_400(description: str, *, error_required: bool) -> dict[str, Any]:
    error = {"type": "object", "properties": {"error": {"type": "string"}}}
    return {
        "description": description,
        "content": {
            PROBLEM_MEDIA_TYPE: {
                "schema": {
                    "allOf": [
                        {"$ref": "#/components/schemas/Problem"},
                        {**error, "required": ["error"]} if error_required else error,
                    ]
                },
                "example": _OAUTH_PROBLEM_EXAMPLE,
            }
        },
    }


_REFUSED: Final = (
    "Refused (RFC 6749 section 5.2): `error` is invalid_request, invalid_grant, unsupported_grant_type or invalid_scope"
)
_TOKEN_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Tokens (RFC 6749 section 5.1), never cached",
        "content": {"application/json": {"schema": TOKEN_RESPONSE_SCHEMA}},
    },
    400: _oauth_400(_REFUSED, error_required=True),
    # 429 whether or not the general rate limit is on: the login budgets always apply (core/accounts/login_limits.py).
    **problem_openapi_responses(413, 415, 429, details={429: TOO_MANY_LOGINS_DETAIL}),
}
_JSON_GRANT_RESPONSES: dict[int | str, dict[str, Any]] = {
    **_TOKEN_RESPONSES,
    # A body that is not JSON at all is the 400 of every JSON endpoint, without RFC 6749's `error`.
    400: _oauth_400(f"{_REFUSED}; a body that is not JSON: a 400 without `error`", error_required=False),
    **problem_openapi_responses(422),
}


@router.post(
    "/token",
    summary="Log in, or refresh a login",
    description="RFC 6749, form-encoded: `grant_type=password` with `username` (the email) and `password`, or "
    "`grant_type=refresh_token` with `refresh_token`; optional `scope`. A refresh token is single use: the answer "
    "carries the next one, and presenting a spent one again ends that login. Unknown email, wrong password and "
    "disabled account get the same answer.",
    dependencies=[public],
    response_model=None,
    responses=_TOKEN_RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {FORM_MEDIA_TYPE: {"schema": TOKEN_REQUEST_SCHEMA, "examples": TOKEN_REQUEST_EXAMPLES}},
        },
    },
)
async def issue_token(request: Request) -> Response:
    return await issue_tokens(request, parse_grant(await _form(request)))


@router.post(
    "/login",
    summary="Log in (JSON)",
    description="The token endpoint's password grant as JSON: `email`, `password`, optional `scope`. The same "
    "answer, errors and login limits: unknown email, wrong password and disabled account get the same answer.",
    dependencies=[public, *JSON_BODY],
    response_model=None,
    responses=_JSON_GRANT_RESPONSES,
)
async def login(request: Request, body: Annotated[LoginIn, Body(openapi_examples=LOGIN_EXAMPLES)]) -> Response:
    grant = password_grant_from(body.email, body.password, body.scope, username_field="email")
    return await issue_tokens(request, grant)


@router.post(
    "/refresh",
    summary="Refresh a login (JSON)",
    description="The token endpoint's refresh grant as JSON: `refresh_token`, optional `scope`. A refresh token is "
    "single use, whichever endpoint issued it: the answer carries the next one, and presenting a spent one again "
    "ends that login.",
    dependencies=[public, *JSON_BODY],
    response_model=None,
    responses=_JSON_GRANT_RESPONSES,
)
async def refresh_login(
    request: Request, body: Annotated[RefreshIn, Body(openapi_examples=REFRESH_EXAMPLES)]
) -> Response:
    return await issue_tokens(request, refresh_grant_from(body.refresh_token, body.scope))


async def issue_tokens(request: Request, grant: Grant) -> Response:
    """Honour a grant, whichever endpoint carried it: the login limits first (a password attempt spends its
    address's and its account's budgets, a refresh its address's), before any password is checked."""
    context = app_context(request.app)
    account = grant.username if isinstance(grant, PasswordGrant) else None
    refusal = await context.component(LoginLimits).refused(_address(request), account)
    if refusal is not None:
        headers = {"Retry-After": str(refusal.retry_after_s), **NO_STORE_HEADERS}
        return problem_response(status.HTTP_429_TOO_MANY_REQUESTS, TOO_MANY_LOGINS_DETAIL, request.url.path, headers)
    tokens = context.component(Tokens)
    origin = Origin.of_request(request.client.host if request.client else None)
    if isinstance(grant, PasswordGrant):
        body = await tokens.password_login(grant, origin)
    else:
        body = await tokens.refresh(grant, origin)
    return JSONResponse(body, headers=NO_STORE_HEADERS)


@router.post(
    "/verify",
    summary="Is this access token active? (RFC 7662)",
    description="Token introspection for the services that check this service's tokens: needs a bearer token "
    "holding `tokens:admin` (RFC 7662 requires the endpoint to be protected). An active token's answer names its "
    "account (`sub`), scopes and lifetime; any other token (malformed, expired, revoked, not this service's) "
    'answers `{"active": false}` and nothing else.',
    dependencies=[*INTROSPECTION, *JSON_BODY],
    response_model=None,
    responses={
        200: {
            "description": "The token's state (RFC 7662 section 2.2), never cached",
            "content": {"application/json": {"schema": INTROSPECTION_SCHEMA, "examples": INTROSPECTION_EXAMPLES}},
        },
        **problem_openapi_responses(400, 413, 415, 422),
    },
)
async def verify_token(request: Request, body: Annotated[VerifyIn, Body(openapi_examples=VERIFY_EXAMPLES)]) -> Response:
    verifier = app_context(request.app).component(TokenVerifier)
    try:
        answer = introspection(await verifier.verify(body.token), now=time.time())
    except InvalidToken:
        answer = inactive()
    return JSONResponse(answer, headers=NO_STORE_HEADERS)


@router.post(
    "/logout",
    summary="Log out",
    description="Revokes the bearer token of this request and its login's refresh tokens, on every replica "
    "(within about a second), until they would have expired. 503 while the database cannot record it: retry.",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    dependencies=[requires()],
    responses=problem_openapi_responses(503),
)
async def logout(request: Request, principal: Principal) -> Response:
    await app_context(request.app).component(Tokens).logout(principal)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@keys_router.get(
    "/.well-known/jwks.json",
    summary="The public keys of this service's tokens",
    description="A JWK Set: a service that trusts this one verifies its access tokens with these keys.",
    responses={200: {"description": "JWK Set (RFC 7517)", "content": {"application/json": {}}}},
)
async def jwks(request: Request) -> Response:
    keys = app_context(request.app).component(SigningKeys)
    return JSONResponse(keys.public_jwks(), headers={"Cache-Control": JWKS_CACHE_CONTROL})


async def _form(request: Request) -> dict[str, list[str]]:
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != FORM_MEDIA_TYPE:
        raise OAuthError("invalid_request", f"the token endpoint takes {FORM_MEDIA_TYPE}", status=415)
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise OAuthError("invalid_request", f"the form is over {MAX_FORM_BYTES} bytes")
    try:
        return parse_qs(body.decode(), keep_blank_values=True, strict_parsing=False, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise OAuthError("invalid_request", "the form is not valid application/x-www-form-urlencoded") from None


def _address(request: Request) -> str:
    return client_identity(request.client.host if request.client else None)


async def oauth_error(request: Request, exc: OAuthError) -> Response:
    """`OAuthError` as a 400 problem carrying RFC 6749's `error` member, never cached."""
    return problem_response(exc.status, exc.detail, request.url.path, dict(NO_STORE_HEADERS), error=exc.error)
