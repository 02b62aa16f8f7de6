"""Signing in and out: `POST /api/v1/auth/token` (RFC 6749: the password and refresh_token grants, form-encoded), its
JSON twins `POST /api/v1/auth/login` and `/api/v1/auth/refresh`, `POST /api/v1/auth/verify` (RFC 7662: is this access
token active?), `POST /api/v1/auth/logout` and `GET /.well-known/jwks.json` (the public keys, for any service verifying
the tokens).

The form and the JSON endpoints are two ways of carrying one grant: each turns its body into a `Grant`
(core/accounts/grants.py) and hands it to `issue_tokens`, the one place the login limits are spent and a grant is
honoured. A refresh token from either endpoint works at the other: one login, one family, one rotation.

The token endpoint answers 200 with `Cache-Control: no-store`, or a 400 problem+json carrying RFC 6749's `error`
(`invalid_request`, `invalid_grant`, `unsupported_grant_type`, `invalid_scope`). Before any password is checked, each
attempt spends its address's budget (AUTH_LOGIN_LIMIT_PER_ADDRESS) and its account's (AUTH_LOGIN_LIMIT_PER_ACCOUNT):
over either, 429 with Retry-After (core/accounts/login_limits.py says why these budgets). Neither the password nor
a token is ever logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Final

from django.db.models import Q
from django.http import HttpResponse, QueryDict
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import parsers, status
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response

from ..api.base import PublicAPIView, ServiceAPIView
from ..api.negotiation import JSONOnlyNegotiation
from ..api.schema import problem_responses
from ..api.scopes import ScopeDeclaration
from ..core.accounts.grants import (
    FORM_MEDIA_TYPE,
    INVALID_CREDENTIALS,
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
from ..core.accounts.keys import JWKS_CACHE_CONTROL
from ..core.auth import InvalidToken, Principal
from ..core.limits import Verdict, client_identity
from ..integrations import wiring
from ..problems import problem_response
from ..revocations.store import revoke_access_token
from .models import RefreshToken
from .revocation import revoke_families
from .scopes import INTROSPECTION_SCOPES
from .serializers import LoginSerializer, RefreshSerializer, VerifySerializer
from .tokens import password_login, refresh
from .views import request_origin, validated

logger = logging.getLogger(__name__)

TOKEN_PATH: Final = "/api/v1/auth/token"  # noqa: S105 - a path
LOGOUT_PATH: Final = "/api/v1/auth/logout"
LOGIN_PATH: Final = "/api/v1/auth/login"
REFRESH_PATH: Final = "/api/v1/auth/refresh"
VERIFY_PATH: Final = "/api/v1/auth/verify"
JWKS_PATH: Final = "/.well-known/jwks.json"


# --- brute-force limits ---------------------------------------------------------------------------------------


def login_refused(request: Request, account: str | None) -> Verdict | None:
    """The verdict refusing this attempt, or None (core/accounts/login_limits.py: the budgets, and this process's
    memory while Redis fails)."""
    limits = wiring().login_limits
    if limits is None:
        return None
    return limits.refused(client_identity(request.META.get("REMOTE_ADDR")), account)


# --- the token endpoint ---------------------------------------------------------------------------------------


OAUTH_PROBLEM: Final[dict[str, Any]] = {
    "allOf": [
        {"$ref": "#/components/schemas/Problem"},
        {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
    ]
}
OAUTH_OR_JSON_PROBLEM: Final[dict[str, Any]] = {
    "allOf": [
        {"$ref": "#/components/schemas/Problem"},
        {"type": "object", "properties": {"error": {"type": "string"}}},
    ]
}
"""The 400 of the JSON endpoints honouring grants: RFC 6749's `error` when the grant is refused; a body that is not
JSON at all is the 400 of every JSON endpoint, without it."""


class FormOnly(parsers.FormParser):
    """Any body is read as a form: a token request of another media type gets a 415 carrying RFC 6749's
    `invalid_request`."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        if (media_type or "").partition(";")[0].strip().lower() != FORM_MEDIA_TYPE:
            raise OAuthError("invalid_request", f"the token endpoint takes {FORM_MEDIA_TYPE}", status=415)
        return super().parse(stream, media_type, parser_context)


def _token_example(name: str, value: dict[str, str], summary: str) -> OpenApiExample:
    return OpenApiExample(
        name, summary=summary, value=value, request_only=True, media_type="application/x-www-form-urlencoded"
    )


TOKEN_EXAMPLES: Final = [
    _token_example(
        "password",
        {"grant_type": "password", "username": "ada@example.com", "password": "correct horse battery staple"},
        "Log in with an email and password",
    ),
    _token_example(
        "refresh",
        {"grant_type": "refresh_token", "refresh_token": "kxW1c0Vn2Yf3m8L0b6J9sQ4pR7tU5vZ2aD8eG1hK3lM"},
        "Exchange a refresh token for the next pair",
    ),
]


REFUSED: Final = (
    "Refused (RFC 6749 section 5.2): `error` is invalid_request, invalid_grant, unsupported_grant_type or invalid_scope"
)


def oauth_400(instance: str, *, json_body: bool) -> OpenApiResponse:
    """The documented 400 of an endpoint honouring grants: a problem carrying RFC 6749's `error` (a JSON endpoint's
    body that is not JSON: a 400 without it)."""
    return OpenApiResponse(
        response=OAUTH_OR_JSON_PROBLEM if json_body else OAUTH_PROBLEM,
        description=f"{REFUSED}; a body that is not JSON: a 400 without `error`" if json_body else REFUSED,
        examples=[
            OpenApiExample(
                "invalid_grant",
                value={
                    "type": "about:blank",
                    "title": "Bad Request",
                    "status": 400,
                    "detail": INVALID_CREDENTIALS,
                    "instance": instance,
                    "request_id": "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed",
                    "error": "invalid_grant",
                },
                response_only=True,
            )
        ],
    )


def grant_responses(instance: str, *statuses: int, json_body: bool) -> dict[Any, Any]:
    """The documented answers of an endpoint honouring grants (the token endpoint, login, refresh)."""
    return {
        200: OpenApiResponse(response=TOKEN_RESPONSE_SCHEMA, description="Tokens (RFC 6749 section 5.1), never cached"),
        (400, "application/problem+json"): oauth_400(instance, json_body=json_body),
        # The login budgets always apply, whether or not the general rate limit is on (its 429 is added then).
        **problem_responses(*statuses, 429, instance=instance, details={429: TOO_MANY_LOGINS_DETAIL}),
    }


def json_examples(examples: dict[str, dict[str, Any]]) -> list[OpenApiExample]:
    """A JSON request body's named examples (core/accounts's, shared by every framework)."""
    return [
        OpenApiExample(name, summary=example["summary"], value=example["value"], request_only=True)
        for name, example in examples.items()
    ]


class FormOnlyNegotiation(JSONOnlyNegotiation):
    """The token endpoint's one parser reads every body (and refuses what is not a form, the RFC 6749 way)."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)


class TokenView(PublicAPIView):
    """`POST /api/v1/auth/token`: anyone may ask; the grant says who they are."""

    http_method_names = ("post",)
    parser_classes = (FormOnly,)
    content_negotiation_class = FormOnlyNegotiation

    @extend_schema(
        summary="Log in, or refresh a login",
        description="RFC 6749, form-encoded: `grant_type=password` with `username` (the email) and `password`, or "
        "`grant_type=refresh_token` with `refresh_token`; optional `scope`. A refresh token is single use: the "
        "answer carries the next one, and presenting a spent one again ends that login. Unknown email, wrong "
        "password and disabled account get the same answer.",
        operation_id="issue_token",
        tags=["auth"],
        request={FORM_MEDIA_TYPE: TOKEN_REQUEST_SCHEMA},
        responses=grant_responses(TOKEN_PATH, 413, 415, json_body=False),
        examples=TOKEN_EXAMPLES,
    )
    def post(self, request: Request) -> HttpResponse:
        def form_grant() -> Grant:
            data: QueryDict = request.data  # type: ignore[assignment]  # FormOnly's (it may refuse the body)
            return parse_grant({name: data.getlist(name) for name in data})

        return issue_tokens(request, form_grant)


class LoginView(PublicAPIView):
    """`POST /api/v1/auth/login`: the token endpoint's password grant as JSON; anyone may ask."""

    http_method_names = ("post",)

    @extend_schema(
        summary="Log in (JSON)",
        description="The token endpoint's password grant as JSON: `email`, `password`, optional `scope`. The same "
        "answer, errors and login limits: unknown email, wrong password and disabled account get the same answer.",
        operation_id="login",
        tags=["auth"],
        request=LoginSerializer,
        responses=grant_responses(LOGIN_PATH, 413, 415, 422, json_body=True),
        examples=json_examples(LOGIN_EXAMPLES),
    )
    def post(self, request: Request) -> HttpResponse:
        body = validated(request, LoginSerializer)  # a 422 before any budget is spent, as a malformed form's 400
        return issue_tokens(
            request,
            lambda: password_grant_from(body["email"], body["password"], body.get("scope"), username_field="email"),
        )


class RefreshView(PublicAPIView):
    """`POST /api/v1/auth/refresh`: the token endpoint's refresh grant as JSON; anyone may ask."""

    http_method_names = ("post",)

    @extend_schema(
        summary="Refresh a login (JSON)",
        description="The token endpoint's refresh grant as JSON: `refresh_token`, optional `scope`. A refresh token "
        "is single use, whichever endpoint issued it: the answer carries the next one, and presenting a spent one "
        "again ends that login.",
        operation_id="refresh_login",
        tags=["auth"],
        request=RefreshSerializer,
        responses=grant_responses(REFRESH_PATH, 413, 415, 422, json_body=True),
        examples=json_examples(REFRESH_EXAMPLES),
    )
    def post(self, request: Request) -> HttpResponse:
        body = validated(request, RefreshSerializer)
        return issue_tokens(request, lambda: refresh_grant_from(body["refresh_token"], body.get("scope")))


def issue_tokens(request: Request, grant_of_request: Callable[[], Grant]) -> HttpResponse:
    """Honour the grant a request carries, whichever endpoint it came to: the login limits first (a password
    attempt spends its address's and its account's budgets, a refresh its address's), before any password is
    checked. `OAuthError`, from reading the grant or from honouring it, is the 400 problem carrying RFC 6749's
    `error`."""
    try:
        grant = grant_of_request()
        account = grant.username if isinstance(grant, PasswordGrant) else None
        refused = login_refused(request, account)
        if refused is not None:
            headers = {"Retry-After": str(refused.retry_after_s), **NO_STORE_HEADERS}
            return problem_response(429, TOO_MANY_LOGINS_DETAIL, request.path, headers=headers)
        origin = request_origin(request)
        body = password_login(grant, origin) if isinstance(grant, PasswordGrant) else refresh(grant, origin)
    except OAuthError as refusal:
        return problem_response(  # DRF sends any HttpResponse as it is
            refusal.status, refusal.detail, request.path, headers=dict(NO_STORE_HEADERS), error=refusal.error
        )
    return Response(body, headers=NO_STORE_HEADERS)


class VerifyView(ServiceAPIView):
    """`POST /api/v1/auth/verify`: RFC 7662 introspection of an access token, for callers holding tokens:admin."""

    http_method_names = ("post",)
    required_scopes: ClassVar[ScopeDeclaration] = INTROSPECTION_SCOPES

    @extend_schema(
        summary="Is this access token active? (RFC 7662)",
        description="Token introspection for the services that check this service's tokens: needs a bearer token "
        "holding `tokens:admin` (RFC 7662 requires the endpoint to be protected). An active token's answer names "
        "its account (`sub`), scopes and lifetime; any other token (malformed, expired, revoked, not this "
        'service\'s) answers `{"active": false}` and nothing else.',
        operation_id="verify_token",
        tags=["auth"],
        request=VerifySerializer,
        responses={
            200: OpenApiResponse(
                response=INTROSPECTION_SCHEMA,
                description="The token's state (RFC 7662 section 2.2), never cached",
                examples=[
                    OpenApiExample(name, summary=example["summary"], value=example["value"], response_only=True)
                    for name, example in INTROSPECTION_EXAMPLES.items()
                ],
            ),
            **problem_responses(400, 413, 415, 422, instance=VERIFY_PATH, field="body.token"),
        },
        examples=json_examples(VERIFY_EXAMPLES),
    )
    def post(self, request: Request) -> Response:
        token = validated(request, VerifySerializer)["token"]
        verifier = wiring().token_verifier
        if verifier is None:
            raise RuntimeError("no token verifier: integrations.auth did not run")
        try:
            answer = introspection(verifier.verify_sync(token), now=time.time())
        except InvalidToken:
            answer = inactive()
        return Response(answer, headers=NO_STORE_HEADERS)


# --- logout and the public keys -------------------------------------------------------------------------------


class LogoutView(ServiceAPIView):
    """`POST /api/v1/auth/logout`: revokes the bearer token it is called with and every token of its login."""

    http_method_names = ("post",)
    required_scopes: ClassVar[ScopeDeclaration] = {"POST": ()}  # any valid token may sign itself out

    @extend_schema(
        summary="Log out: revoke this token and its refresh tokens",
        description="Every replica refuses the access token from now on (within about a second), and the refresh "
        "tokens of its login stop working.",
        operation_id="logout",
        tags=["auth"],
        request=None,
        responses={204: None, **problem_responses(503, instance=LOGOUT_PATH)},
    )
    def post(self, request: Request) -> Response:
        principal = request.auth
        assert isinstance(principal, Principal)  # noqa: S101 - ScopePermission let only verified tokens through
        if principal.token_id:
            revoke_access_token(principal.token_id, principal.expires_at, wiring().revoked_tokens)
            families = RefreshToken.objects.filter(Q(access_token_id=principal.token_id)).values_list("family")
            revoke_families(*(family for (family,) in families))
        return Response(status=status.HTTP_204_NO_CONTENT)


class JwksView(PublicAPIView):
    """`GET /.well-known/jwks.json`: the public keys that verify the access tokens (never a private member)."""

    http_method_names = ("get", "head")
    throttle_classes = ()  # verifiers of other services fetch it; it costs nothing

    @extend_schema(
        summary="The public keys that verify this service's access tokens (JWK Set)",
        operation_id="jwks",
        tags=["auth"],
        responses={
            200: OpenApiResponse(
                response={"type": "object", "properties": {"keys": {"type": "array", "items": {"type": "object"}}}},
                description="A JWK Set (RFC 7517)",
            )
        },
    )
    def get(self, request: Request) -> Response:
        keys = wiring().signing_keys
        if keys is None:
            raise RuntimeError("no signing keys: integrations.auth did not run")
        return Response(keys.public_jwks(), headers={"Cache-Control": JWKS_CACHE_CONTROL})
