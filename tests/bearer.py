"""Bearer tokens for the rendered services of `auth=jwt` and `auth=users` variants.

The services under test are started with `SERVICE_AUTH`: an HMAC secret (what a `jwt` service verifies with), a
fixed Ed25519 key set as `AUTH_SIGNING_KEYS` (what a `users` service signs and verifies with), and the issuer and
audience both check. Each kind of service ignores the other's setting. Tokens are made here with the standard
library (HS256) and `cryptography` (EdDSA), not with PyJWT (the services' own library): the check stays independent
of it. Every helper that makes a token takes the variant's `auth` answer, so it signs what that service verifies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterable, Mapping
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def _segment(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unsegment(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# Fixed test keys (Ed25519, as JWKs): the first is the `users` services' only key; the second is a stranger's, for
# tokens those services must refuse. Secrets of the tests, never of a deployment.
SIGNING_KEY: Final = {
    "kty": "OKP",
    "crv": "Ed25519",
    "kid": "template-tests-1",
    "alg": "EdDSA",
    "use": "sig",
    "d": "lv6E2X_kL0hk2U_DRAuGKDwhkjA0UTkT33tbFHWOPHE",
    "x": "W440x1catZjJQ6eMjhLLLt-UpaE_IaFso7S_3qSKeEw",
}
OTHER_KEY: Final = {
    **SIGNING_KEY,
    "kid": "template-tests-stranger",
    "d": "XTWVzD4Syse7elrzyqLMXi0ZUAUMA00--Tj_eYvFeuk",
    "x": "yP5Q8cexQIxj2m8BMJyuxCr_QmNwgHOEOFmKSehDJVI",
}

SERVICE_AUTH: Final = {
    "AUTH_JWT_SECRET": "template-tests-hmac-secret-0123456789abcdef",
    "AUTH_SIGNING_KEYS": json.dumps({"keys": [SIGNING_KEY]}),
    "AUTH_ISSUER": "https://login.template-tests.example/",
    "AUTH_AUDIENCE": "https://api.template-tests.example",
}
# The key setting of each kind of service: what it verifies with, and what staging and production cannot start without.
KEY_SETTING: Final = {"jwt": "AUTH_JWT_SECRET", "users": "AUTH_SIGNING_KEYS"}
SUBJECT: Final = "template-tests-client"
ALL_SCOPES: Final = ("items:read", "items:write")
FILE_SCOPES: Final = ("files:read", "files:write")
"""What a caller of the files resource (`file_storage`) needs beside `ALL_SCOPES`."""


def uses_tokens(answers: Mapping[str, Any]) -> bool:
    return answers.get("auth") in KEY_SETTING


def service_auth(answers: Mapping[str, Any]) -> dict[str, str]:
    """The settings a service of these answers starts with to verify the tokens made here (`auth=none`: none)."""
    if not uses_tokens(answers):
        return {}
    others = {name for kind, name in KEY_SETTING.items() if kind != answers["auth"]}
    return {name: value for name, value in SERVICE_AUTH.items() if name not in others}


def _compact(header: Mapping[str, Any], claims: Mapping[str, Any]) -> str:
    return f"{_segment(json.dumps(dict(header)).encode())}.{_segment(json.dumps(dict(claims)).encode())}"


def signed(claims: Mapping[str, Any], *, secret: str = SERVICE_AUTH["AUTH_JWT_SECRET"], alg: str = "HS256") -> str:
    """A compact JWS of `claims`, HMAC-SHA256-signed with `secret` (the header says `alg`, whatever it is)."""
    signing_input = _compact({"alg": alg, "typ": "JWT"}, claims)
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_segment(signature)}"


def signed_eddsa(
    claims: Mapping[str, Any], *, key: Mapping[str, str] = SIGNING_KEY, kid: str | None = None, alg: str = "EdDSA"
) -> str:
    """A compact JWS of `claims`, Ed25519-signed with the JWK `key`; the header names `kid` (the key's own unless
    given: a stranger's key under the service's kid is a forgery) and says `alg`, whatever it is."""
    signing_input = _compact({"alg": alg, "typ": "JWT", "kid": kid or key["kid"]}, claims)
    private = Ed25519PrivateKey.from_private_bytes(_unsegment(key["d"]))
    return f"{signing_input}.{_segment(private.sign(signing_input.encode()))}"


def sign(claims: Mapping[str, Any], *, auth: str) -> str:
    """`claims` signed the way a service of this `auth` answer verifies: HS256 (`jwt`) or EdDSA (`users`)."""
    if auth == "users":
        return signed_eddsa(claims)
    if auth == "jwt":
        return signed(claims)
    raise ValueError(f"a service with auth={auth} verifies no token")


def unsigned(claims: Mapping[str, Any]) -> str:
    """A JWT with `alg: none` and no signature: what a forger sends to a verifier that trusts the header."""
    return f"{_compact({'alg': 'none', 'typ': 'JWT'}, claims)}."


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


def token(subject: str = SUBJECT, scopes: Iterable[str] = ALL_SCOPES, *, auth: str, lifetime_s: int = 3600) -> str:
    return sign(claims(subject, scopes, lifetime_s=lifetime_s), auth=auth)


def bearer(subject: str = SUBJECT, scopes: Iterable[str] = ALL_SCOPES, *, auth: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(subject, scopes, auth=auth)}"}


def as_client(address: str, *, auth: str) -> dict[str, str]:
    """Headers of a client at `address` behind a proxy the service trusts (127.0.0.1, the tests): X-Forwarded-For,
    and (unless `auth` is none) a token for a subject of its own. Rate limits count an authenticated request per
    subject, so either way the client has a budget of its own."""
    headers = {"X-Forwarded-For": address}
    if auth != "none":
        headers["Authorization"] = f"Bearer {token(subject=f'client-{address}', auth=auth)}"
    return headers
