"""Bearer tokens for the rendered services of `auth=jwt` variants.

The services under test are started with `SERVICE_AUTH` (an HMAC secret, issuer and audience). Tokens are made
here with the standard library, not with PyJWT (the services' own library): the check stays independent of it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterable, Mapping
from typing import Any, Final

SERVICE_AUTH: Final = {
    "AUTH_JWT_SECRET": "template-tests-hmac-secret-0123456789abcdef",
    "AUTH_ISSUER": "https://login.template-tests.example/",
    "AUTH_AUDIENCE": "https://api.template-tests.example",
}
SUBJECT: Final = "template-tests-client"
ALL_SCOPES: Final = ("items:read", "items:write")


def uses_tokens(answers: Mapping[str, Any]) -> bool:
    return answers.get("auth") == "jwt"


def _segment(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def signed(claims: Mapping[str, Any], *, secret: str = SERVICE_AUTH["AUTH_JWT_SECRET"], alg: str = "HS256") -> str:
    """A compact JWS of `claims`, HMAC-SHA256-signed with `secret` (the header says `alg`, whatever it is)."""
    header = _segment(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = _segment(json.dumps(dict(claims)).encode())
    signature = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_segment(signature)}"


def unsigned(claims: Mapping[str, Any]) -> str:
    """A JWT with `alg: none` and no signature: what a forger sends to a verifier that trusts the header."""
    header = _segment(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{_segment(json.dumps(dict(claims)).encode())}."


def claims(subject: str = SUBJECT, scopes: Iterable[str] = ALL_SCOPES, *, lifetime_s: int = 600) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": SERVICE_AUTH["AUTH_ISSUER"],
        "aud": SERVICE_AUTH["AUTH_AUDIENCE"],
        "sub": subject,
        "scope": " ".join(scopes),
        "iat": now,
        "exp": now + lifetime_s,
        "jti": hashlib.sha256(f"{subject} {now} {time.perf_counter_ns()}".encode()).hexdigest()[:32],
    }


def token(subject: str = SUBJECT, scopes: Iterable[str] = ALL_SCOPES, *, lifetime_s: int = 3600) -> str:
    return signed(claims(subject, scopes, lifetime_s=lifetime_s))


def bearer(subject: str = SUBJECT, scopes: Iterable[str] = ALL_SCOPES) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(subject, scopes)}"}


def as_client(address: str) -> dict[str, str]:
    """Headers of a client at `address` behind a proxy the service trusts (127.0.0.1, the tests): X-Forwarded-For,
    and a token for a subject of its own. Rate limits count an authenticated request per subject, so either way the
    client has a budget of its own; a service without authentication ignores the header."""
    return {"X-Forwarded-For": address, "Authorization": f"Bearer {token(subject=f'client-{address}')}"}
