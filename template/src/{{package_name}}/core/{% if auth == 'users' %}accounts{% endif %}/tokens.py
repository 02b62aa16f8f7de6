"""What the service issues at login and refresh: a short-lived access token (a JWT the core verifier accepts) and
an opaque refresh token, of which only the SHA-256 is stored (a copy of the table signs nobody in).

Refresh tokens are single use: each use spends it and issues the next one of the same *family* (one login). A spent
token presented again means two parties hold it: the whole family is revoked (see the framework's token endpoint).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from .keys import SigningKeys

ACCESS_TOKEN_TTL_S: Final = 900
REFRESH_TOKEN_TTL_S: Final = 1_209_600
REFRESH_TOKEN_BYTES: Final = 32
MAX_REFRESH_TOKEN_LENGTH: Final = 128
"""A longer `refresh_token` is refused before it is hashed (ours are 43 characters)."""


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    token_id: str
    expires_at: int
    scopes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RefreshToken:
    """A new refresh token: `token` goes to the client once; only `digest` is stored."""

    token: str
    digest: str
    expires_at: int


@dataclass(frozen=True, slots=True)
class AccessTokenIssuer:
    """Signs access tokens: `iss`, `aud`, `sub` (the user's id), `scope`, `jti`, `iat`, `exp`."""

    keys: SigningKeys
    issuer: str
    audience: str
    ttl_s: int = ACCESS_TOKEN_TTL_S

    def issue(self, subject: str, scopes: Iterable[str], *, now: float | None = None) -> AccessToken:
        issued_at = int(time.time() if now is None else now)
        granted = tuple(sorted(set(scopes)))
        token_id = secrets.token_urlsafe(16)
        expires_at = issued_at + self.ttl_s
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "scope": " ".join(granted),
            "jti": token_id,
            "iat": issued_at,
            "exp": expires_at,
        }
        return AccessToken(self.keys.sign(claims), token_id, expires_at, granted)


def new_refresh_token(ttl_s: int = REFRESH_TOKEN_TTL_S, *, now: float | None = None) -> RefreshToken:
    token = secrets.token_urlsafe(REFRESH_TOKEN_BYTES)
    return RefreshToken(token, refresh_token_digest(token), int(time.time() if now is None else now) + ttl_s)


def refresh_token_digest(token: str) -> str:
    """The stored form of a refresh token (hex SHA-256): a random 256-bit token needs no slow hash."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_family_id() -> str:
    """The id shared by every refresh token of one login (rotation keeps it; reuse revokes it whole)."""
    return secrets.token_urlsafe(16)
