"""The password hasher of `ENVIRONMENT=test` (settings.PASSWORD_HASHERS): the tests create accounts and sign in
hundreds of times, and Django's argon2id parameters (100 MiB, two passes, eight lanes) cost ~0.2 CPU s a hash.
Every other environment hashes with Django's own."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    """Still argon2id with a salt, under the same `argon2` prefix: what the tests store has the production shape,
    and a hash made with the real parameters still verifies."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1
