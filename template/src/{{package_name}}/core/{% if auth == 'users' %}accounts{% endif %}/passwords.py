"""The password policy: at least `MIN_PASSWORD_LENGTH` characters, at most `MAX_PASSWORD_LENGTH` (a longer one
costs argon2 more than it adds). Length rather than composition rules (NIST SP 800-63B section 5.1.1.2): a long
passphrase beats `Passw0rd!`. Hashing is the framework's (pwdlib's argon2id, Django's Argon2 hasher)."""

from __future__ import annotations

from typing import Final

from .grants import MAX_PASSWORD_LENGTH

MIN_PASSWORD_LENGTH: Final = 12
PASSWORD_RULE: Final = f"a password is {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters"


def password_problem(password: str) -> str | None:
    """Why `password` is refused (a sentence that never contains it), or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"The password is too short: {PASSWORD_RULE}"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"The password is too long: {PASSWORD_RULE}"
    if "\x00" in password:  # the token endpoint refuses it (grants.py): nobody could sign in with it
        return "The password contains a NUL character"
    return None
