"""The password policy, the one rule wherever a password is set (the users API, sign-up, a reset's confirmation, the
`users` command, and the framework's own tools): at least `MIN_PASSWORD_LENGTH` characters, at most
`MAX_PASSWORD_LENGTH` (a longer one costs argon2 more than it adds), not a common password, not close to the
account's own email or name. Length rather than composition rules (NIST SP 800-63B section 5.1.1.2): a long
passphrase beats `Passw0rd!`, while a password from a breach list or made of the account's own address is guessed
first, which the same section asks a verifier to refuse. Hashing is the framework's (pwdlib's argon2id, Django's
Argon2 hasher).

Each refusal is one sentence that never contains the password; the API answers it as a 422 problem+json whose
`errors` name `body.password` with this sentence."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path
from typing import Final

from .grants import MAX_PASSWORD_LENGTH

MIN_PASSWORD_LENGTH: Final = 12
PASSWORD_RULE: Final = f"a password is {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters"
TOO_SHORT: Final = f"The password is too short: {PASSWORD_RULE}"
TOO_LONG: Final = f"The password is too long: {PASSWORD_RULE}"
HAS_NUL: Final = "The password contains a NUL character"
TOO_COMMON: Final = "The password is too common: it is on a list of passwords leaked most often"
COMMON_PASSWORDS: Final = Path(__file__).with_name("common_passwords.txt")
"""The list (its header says where it comes from, and its licence)."""
MAX_SIMILARITY: Final = 0.7
"""Django's UserAttributeSimilarityValidator's default, and its measure (difflib's quick_ratio)."""


def password_problem(password: str, *, email: str = "", full_name: str = "") -> str | None:
    """Why `password` is refused (a sentence that never contains it), or None when it is acceptable. `email` and
    `full_name`: the account's, when the caller knows them (a sign-up's email, an account changing its password)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_PASSWORD_LENGTH:
        return TOO_LONG
    if "\x00" in password:  # the token endpoint refuses it (grants.py): nobody could sign in with it
        return HAS_NUL
    if password.lower().strip() in common_passwords():
        return TOO_COMMON
    for attribute, value in (("email", email), ("name", full_name)):
        if _similar(password, value):
            return f"The password is too similar to the account's {attribute}"
    return None


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("# "))


def _similar(password: str, value: str) -> bool:
    """Whether `password` is close to `value` or to one of its words (`ada`, `example` of `ada@example.com`), as
    Django's UserAttributeSimilarityValidator measures it (Django, BSD-3-Clause): difflib's quick_ratio of at least
    `MAX_SIMILARITY`, a word far shorter than the password left out (its ratio cannot reach that)."""
    if not value:
        return False
    password, value = password.lower(), value.lower()
    for part in [*re.split(r"\W+", value), value]:
        if len(password) >= 10 * len(part) and len(part) < MAX_SIMILARITY / 2 * len(password):
            continue
        if SequenceMatcher(a=password, b=part).quick_ratio() >= MAX_SIMILARITY:
            return True
    return False
