"""The service's own signing keys (`AUTH_SIGNING_KEYS`): it signs the access tokens it issues and verifies them with
the core verifier (core/auth.py, the one that checks an identity provider's tokens), and publishes the public halves
(`GET /.well-known/jwks.json`) so other services can verify them too.

`AUTH_SIGNING_KEYS` is a JWK Set (JSON) of private keys, each with a `kid`: Ed25519 (`"kty": "OKP"`, EdDSA) or P-256
(`"kty": "EC"`, ES256). The first key signs; every key verifies. Rotation without downtime: put the new key second
(published, verifying), deploy; move it first (signing) once every replica has it; drop the old key once the last
token it signed has expired (AUTH_ACCESS_TOKEN_TTL later).

Development and test need nothing set: a key set is generated once per checkout in `DEV_KEYS_FILE` (mode 0600,
gitignored, never sent to an image build) and read by every later process, so tokens survive restarts and are
shared by workers. Staging and production refuse to start without the setting (core/settings_accounts.py).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm
from pydantic import SecretStr

from ..auth import InvalidToken, TokenVerifier

logger = logging.getLogger(__name__)

DEV_KEYS_FILE: Final = Path(".auth-signing-keys.json")
"""The development and test key set, created on first use in the working directory (the project)."""
SETTING: Final = "AUTH_SIGNING_KEYS"
MAX_KEYS: Final = 10
_ALGORITHMS: Final = {("OKP", "Ed25519"): "EdDSA", ("EC", "P-256"): "ES256"}
_PRIVATE_MEMBERS: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    algorithm: str
    private: jwt.PyJWK
    public: jwt.PyJWK
    public_jwk: Mapping[str, str]


def parse_signing_keys(text: str) -> list[SigningKey]:
    """The keys of a JWK Set of private keys, first (signing) key first. ValueError names what is wrong, never a
    value of the set (it is a secret)."""
    try:
        document = json.loads(text)
    except ValueError:
        raise ValueError('is not JSON: expected a JWK Set, {"keys": [{...private key with a kid...}]}') from None
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError('is not a JWK Set with at least one key ({"keys": [...]})')
    if len(entries) > MAX_KEYS:
        raise ValueError(f"holds {len(entries)} keys; at most {MAX_KEYS}")
    keys: list[SigningKey] = []
    for position, entry in enumerate(entries, start=1):
        keys.append(_signing_key(entry, position))
    kids = [key.kid for key in keys]
    if len(set(kids)) != len(kids):
        raise ValueError("has two keys with the same kid")
    return keys


def _signing_key(entry: object, position: int) -> SigningKey:
    where = f"key {position}"
    if not isinstance(entry, dict) or not all(isinstance(value, str) for value in entry.values()):
        raise ValueError(f"{where} is not a JWK (an object of strings)")
    kid = entry.get("kid")
    if not isinstance(kid, str) or not 0 < len(kid) <= 64 or not kid.isprintable():
        raise ValueError(f"{where} has no kid (1 to 64 printable characters)")
    algorithm = _ALGORITHMS.get((entry.get("kty", ""), entry.get("crv", "")))
    if algorithm is None:
        raise ValueError(f"{where} ({kid}) is not an Ed25519 (OKP) or P-256 (EC) key")
    if entry.get("alg", algorithm) != algorithm:
        raise ValueError(f"{where} ({kid}) names alg {entry['alg'][:16]!r}; its key type signs {algorithm}")
    if "d" not in entry:
        raise ValueError(f"{where} ({kid}) is a public key: the service signs with it, so it needs its private part")
    public_jwk = {name: value for name, value in entry.items() if name not in _PRIVATE_MEMBERS}
    public_jwk.update(alg=algorithm, use="sig")
    try:
        private = jwt.PyJWK(entry, algorithm)
        public = jwt.PyJWK(public_jwk, algorithm)
    except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):  # InvalidKeyError: x does not match d
        raise ValueError(f"{where} ({kid}) is not a valid {algorithm} key") from None
    return SigningKey(kid=kid, algorithm=algorithm, private=private, public=public, public_jwk=public_jwk)


def generate_key_set() -> str:
    """A new JWK Set of one Ed25519 private key (JSON), as `AUTH_SIGNING_KEYS` takes it."""
    jwk: dict[str, Any] = OKPAlgorithm.to_jwk(Ed25519PrivateKey.generate(), as_dict=True)
    jwk.update(kid=secrets.token_urlsafe(8), alg="EdDSA", use="sig")
    return json.dumps({"keys": [jwk]})


def development_key_set(path: Path = DEV_KEYS_FILE) -> str:
    """The development key set: read from `path`, created there (0600) first if missing. Where the directory is
    read-only it lives in process memory (the service still starts; tokens of another process are refused)."""
    try:
        return path.read_text()
    except FileNotFoundError:
        pass
    key_set = generate_key_set()
    draft = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(key_set)
        try:
            os.link(draft, path)  # atomic, and never replaces a key set another process created meanwhile
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    except OSError as exc:
        logger.warning("Cannot write %s (%s): signing with a key in process memory", path, type(exc).__name__)
        return key_set
    return path.read_text()


class KeySettings(Protocol):
    @property
    def environment(self) -> str: ...
    @property
    def auth_signing_keys(self) -> SecretStr | None: ...
    @property
    def auth_issuer(self) -> str: ...
    @property
    def auth_audience(self) -> str: ...
    @property
    def auth_leeway(self) -> int: ...


class SigningKeys:
    """The service's keys: `sign` with the first, verify with any (`verifier`), publish `public_jwks`."""

    def __init__(self, keys: list[SigningKey], *, development: bool = False) -> None:
        if not keys:
            raise ValueError("at least one signing key")
        self.keys = keys
        self.development = development
        # What the verifier's startup line names as the key source.
        self.url = f"the development key set ({DEV_KEYS_FILE})" if development else SETTING
        self.algorithms = tuple(dict.fromkeys(key.algorithm for key in keys))
        self._by_kid = {key.kid: key for key in keys}

    @classmethod
    def from_text(cls, text: str, *, development: bool = False) -> SigningKeys:
        return cls(parse_signing_keys(text), development=development)

    @classmethod
    def for_environment(
        cls, key_set: str | None, environment: str, *, dev_keys_file: Path = DEV_KEYS_FILE
    ) -> SigningKeys:
        """The configured keys, else (development and test only) the checkout's development key set."""
        if key_set is not None:
            return cls.from_text(key_set)
        if environment not in ("development", "test"):
            raise ValueError(f"{environment} needs {SETTING}")
        return cls.from_text(development_key_set(dev_keys_file), development=True)

    @classmethod
    def from_settings(cls, settings: KeySettings, *, dev_keys_file: Path = DEV_KEYS_FILE) -> SigningKeys:
        configured = settings.auth_signing_keys
        text = None if configured is None else configured.get_secret_value()
        return cls.for_environment(text, settings.environment, dev_keys_file=dev_keys_file)

    def verifier_for(self, settings: KeySettings) -> TokenVerifier:
        """The verifier of these keys with the settings' issuer, audience and leeway."""
        return self.verifier(
            issuer=settings.auth_issuer, audience=settings.auth_audience, leeway_s=settings.auth_leeway
        )

    @property
    def signing(self) -> SigningKey:
        return self.keys[0]

    def sign(self, claims: Mapping[str, Any]) -> str:
        """A compact JWS of `claims`, signed by the first key, its `kid` in the header."""
        key = self.signing
        return jwt.encode(dict(claims), key.private.key, algorithm=key.algorithm, headers={"kid": key.kid})

    def public_jwks(self) -> dict[str, list[dict[str, str]]]:
        """The JWK Set of the public keys (`GET /.well-known/jwks.json`): never a private member."""
        return {"keys": [dict(key.public_jwk) for key in self.keys]}

    def verifier(self, *, issuer: str, audience: str, leeway_s: float) -> TokenVerifier:
        """The core verifier (core/auth.py) with these keys as its key source."""
        return TokenVerifier(jwks=self, issuer=issuer, audience=audience, algorithms=self.algorithms, leeway_s=leeway_s)

    def describe(self) -> str:
        signing = self.signing
        return f"{len(self.keys)} signing key(s) from {self.url}, signing with {signing.kid} ({signing.algorithm})"

    # --- the verifier's key source (core/auth.py `PublicKeys`) ---

    async def key(self, kid: str, algorithm: str) -> jwt.PyJWK:
        return self.key_sync(kid, algorithm)

    def key_sync(self, kid: str, algorithm: str) -> jwt.PyJWK:
        key = self._by_kid.get(kid)
        if key is None:
            raise InvalidToken("unknown key id (kid)")
        if key.algorithm != algorithm:
            raise InvalidToken(f"the key named by kid does not verify {algorithm}")
        return key.public

    async def refresh(self) -> bool:
        return True  # the keys are in memory from the start

    def close(self) -> None:
        return None


def signing_key_command(arguments: list[str], *, program: str) -> int:
    """`python -m <package> signing-key`: print a new key set for AUTH_SIGNING_KEYS (to a secret store, not a file
    in the repository). To rotate, put its key before the old one in the set."""
    if arguments:
        print(f"usage: python -m {program} signing-key (prints a new AUTH_SIGNING_KEYS value)", file=sys.stderr)
        return 2
    print(generate_key_set())
    return 0


JWKS_CACHE_CONTROL: Final = "public, max-age=300"
"""Verifiers may keep the keys five minutes: a new key is published (second in the set) at least that long before
it signs."""
