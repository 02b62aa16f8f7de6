"""Password hashes: argon2id (pwdlib, argon2-cffi's recommended parameters: 64 MiB, 3 passes, 4 lanes). A hash made
with other parameters is replaced at the next successful login (`verify`'s second value). Hashing runs on a worker
thread: argon2 is meant to be slow, and the event loop keeps serving meanwhile.

`ENVIRONMENT=test` alone hashes with cheap parameters (1 MiB, one pass): the tests create accounts and log in
hundreds of times, at ~0.2 CPU s a hash with the real parameters. Every other environment hashes with the real ones."""

from __future__ import annotations

import asyncio
import secrets
from functools import cached_property

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher


class Passwords:
    def __init__(self, hasher: Argon2Hasher | None = None) -> None:
        self._hash = PasswordHash((hasher or Argon2Hasher(),))

    @classmethod
    def for_environment(cls, environment: str) -> Passwords:
        # Still argon2id with a salt, so what the tests store has the production shape.
        return cls(Argon2Hasher(memory_cost=1024, time_cost=1, parallelism=1) if environment == "test" else None)

    @cached_property
    def _dummy_hash(self) -> str:
        # Verified when the email is unknown, so an unknown account costs the same time as a wrong password.
        return self._hash.hash(secrets.token_urlsafe(16))

    def hash_sync(self, password: str) -> str:
        return self._hash.hash(password)

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hash.hash, password)

    def verify_sync(self, password: str, stored: str | None) -> tuple[bool, str | None]:
        """(matches, the new hash to store when the parameters changed). `stored` None: the dummy is verified."""
        if stored is None:
            self._hash.verify(password, self._dummy_hash)
            return False, None
        return self._hash.verify_and_update(password, stored)

    async def verify(self, password: str, stored: str | None) -> tuple[bool, str | None]:
        return await asyncio.to_thread(self.verify_sync, password, stored)

    def warm_up(self) -> None:
        """Compute the dummy hash now (at start), not during the first login of an unknown email."""
        _ = self._dummy_hash
