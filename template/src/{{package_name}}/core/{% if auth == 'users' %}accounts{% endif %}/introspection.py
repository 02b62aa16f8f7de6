"""`POST /api/v1/auth/verify`: RFC 7662's introspection of an access token this service issued.

Who may ask: a caller whose bearer token holds `TOKENS_ADMIN` (`tokens:admin`). RFC 7662 section 2.1 requires the
endpoint to be protected (section 4: an open one lets anyone probe tokens and learn whose they are). The scope, rather
than "any signed-in user", because an answer names another account's id, scopes and session (`jti`): that is for the
services and gateways that check tokens on this service's behalf, which hold it as an account given it explicitly
(`users create gateway@example.com --scope tokens:admin`), and for admins. Its `:admin` suffix keeps it out of the
scopes a new account holds by default, like every scope that reaches beyond the caller's own records. A client that
only wants to know about its own token needs no introspection: the token response said its scope and lifetime.

The answer for a token that is not active (malformed, badly signed, expired, revoked, or of another issuer) is
`{"active": false}` and nothing else, whatever the reason (section 2.2): the reason is not the caller's business.
Unlike the verifier that admits requests, introspection allows no clock leeway: the service issued the token by its
own clock, so past `exp` is expired.
"""

from __future__ import annotations

from typing import Any, Final

from ..auth import Principal

TOKENS_ADMIN: Final = "tokens:admin"
"""The scope that may introspect any access token of the service."""

INTROSPECTED_CLAIMS: Final = ("iat", "nbf", "jti", "iss", "aud")
"""Claims of the token an active answer repeats as they are (RFC 7662 section 2.2 names them all)."""


def inactive() -> dict[str, Any]:
    """The whole answer for a token that is not active."""
    return {"active": False}


def introspection(principal: Principal, *, now: float) -> dict[str, Any]:
    """The answer for a token the verifier accepted (signature, issuer, audience, not revoked)."""
    if principal.expires_at <= now:  # accepted within the verifier's leeway, but expired
        return inactive()
    answer: dict[str, Any] = {
        "active": True,
        "sub": principal.subject,
        "scope": " ".join(sorted(principal.scopes)),
        "exp": principal.expires_at,
        "token_type": "bearer",
    }
    answer.update((name, principal.claims[name]) for name in INTROSPECTED_CLAIMS if name in principal.claims)
    return answer


TOKEN_DESCRIPTION: Final = "An access token of this service (the refresh token is not introspected)"  # noqa: S105
VERIFY_EXAMPLES: Final[dict[str, dict[str, Any]]] = {
    "access_token": {
        "summary": "Is this access token active?",
        "value": {"token": "eyJhbGciOiJFZERTQSIsImtpZCI6IjEifQ.eyJzdWIiOiIzZmE4NWY2NCJ9.c2lnbmF0dXJl"},
    },
    "not_a_token": {
        "summary": "Anything that is not an active token answers active: false",
        "value": {"token": "not-a-token"},
    },
}
INTROSPECTION_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["active"],
    "properties": {
        "active": {"type": "boolean", "description": "False for any token that is not valid now: nothing else is said"},
        "sub": {"type": "string", "description": "The account's id"},
        "scope": {"type": "string", "description": "The token's scopes, space-separated"},
        "exp": {"type": "integer", "description": "When it expires (Unix time)"},
        "iat": {"type": "integer", "description": "When it was issued (Unix time)"},
        "jti": {"type": "string", "description": "The token's id (what logout and `revoke` name)"},
        "iss": {"type": "string"},
        "aud": {"type": "string"},
        "token_type": {"type": "string", "enum": ["bearer"]},
    },
}
INTROSPECTION_EXAMPLES: Final[dict[str, dict[str, Any]]] = {
    "active": {
        "summary": "An active token",
        "value": {
            "active": True,
            "sub": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "scope": "items:read items:write",
            "exp": 1767226500,
            "iat": 1767225600,
            "jti": "T2lY7tH0n1tEd2mYq8Zb0w",
            "iss": "urn:example",
            "aud": "urn:example:api",
            "token_type": "bearer",
        },
    },
    "inactive": {"summary": "Expired, revoked, or not a token of this service", "value": {"active": False}},
}
