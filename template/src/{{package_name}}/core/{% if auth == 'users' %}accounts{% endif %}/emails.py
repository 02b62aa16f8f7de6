"""The one rule for an account's email, wherever an email comes in: the users API (create, change), the token
endpoint's `username`, the `users` command and the framework's own tools. The form it returns is the one stored,
compared and shown, and the database keeps it unique.

1. Refused, naming the character: control and format characters (right-to-left overrides and isolates such as
   U+202E, zero-width spaces and joiners, the byte-order mark), Unicode's other default-ignorable code points and
   blank fillers (U+3164, U+2800), private-use, surrogate and unassigned code points, and any space inside. They
   make two addresses that look the same differ, or one address look like another.
2. Normalised: surrounding spaces trimmed, NFKC (a composed and a decomposed `ä` are one character, a full-width
   `a`, U+FF41, is `a`), then
   - the local part lower-cased, and NFKC again (`Ada` is `ada`, `ÄDA` is `äda`). Lower case only, never case
     folding: folding makes `ß` `ss` and `ς` a plain sigma, and `große@x.io` is another mailbox than `grosse@x.io`.
     Mail goes to the local part as stored: as written, but for its case;
   - the domain as IDNA 2008 (UTS 46, nontransitional) writes it, in U-labels: `Bücher.DE` and its A-labels
     `xn--bcher-kva.de` are both `bücher.de`, one domain, and `faß.de` (`xn--fa-hia.de`) stays apart from `fass.de`.
     A label that is ASCII and no A-label (`xn--…`) is only lower-cased: a host name such as `ab--c.example` is no
     IDNA label, yet a valid domain. A label IDNA 2008 refuses is refused.
3. Shaped like `name@domain.tld`: at most 254 characters, a local part of at most 64 (dot-separated runs of
   letters, digits and `!#$%&'*+/=?^_`{|}~-`), a domain of dot-separated labels of letters, digits and inner
   hyphens, the last one of at least two characters and not all digits. Letters and digits of any script count.

Look-alikes from different scripts (a Cyrillic `a`, U+0430, for a Latin one) are not told apart: an admin sees the
address.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from typing import Final

import idna

from ..database import MigrationRefused

MAX_EMAIL_LENGTH: Final = 254
"""RFC 5321's longest forward path, less its angle brackets."""
MAX_LOCAL_PART_LENGTH: Final = 64
NOT_AN_EMAIL: Final = "is not an email address (name@domain.tld)"

_REFUSED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})
# Unicode's Default_Ignorable_Code_Point outside the categories above (rendered as nothing), and blank fillers.
_INVISIBLE: Final = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2800\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]"
)
_A_LABEL_PREFIX: Final = "xn--"
_ASCII_ATEXT: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-")


class EmailRefused(ValueError):  # noqa: N818 - a refusal, as the API says it
    """The value cannot be an account's email; the message says why (it names a character by its code point only,
    so an invisible one shows)."""


def normalised_email(value: str) -> str:
    """The stored form of the email `value`, or `EmailRefused` saying why not."""
    problem = character_problem(value)
    if problem is not None:
        raise EmailRefused(problem)
    email = canonical_email(value)
    if not _well_shaped(email):
        raise EmailRefused(NOT_AN_EMAIL)
    if any(_idna_label(label) is None for label in email.rpartition("@")[2].split(".") if _is_idna(label)):
        raise EmailRefused(
            "has a domain that is not a valid internationalised domain name (IDNA 2008): no mail can reach it"
        )
    return email


def login_email(value: str) -> str | None:
    """The stored form a sign-in's `username` (or a command's EMAIL) is looked up by; None when no account can
    have it. The shape is not checked: an account stored before this rule, under an address it refuses, can still
    sign in and be given a new one."""
    return None if character_problem(value) is not None else canonical_email(value)


def canonical_email(value: str) -> str:
    """Step 2 alone: trimmed, NFKC, the local part lower-cased, the domain in IDNA 2008's U-labels (a label IDNA
    refuses case-folded instead). Total: it checks nothing, and its result is its own canonical form."""
    local, at, domain = unicodedata.normalize("NFKC", value.strip()).rpartition("@")
    if not at:
        return unicodedata.normalize("NFKC", domain.lower())
    labels = [_canonical_label(label) for label in domain.split(".")]
    return f"{unicodedata.normalize('NFKC', local.lower())}@{'.'.join(labels)}"


def _canonical_label(label: str) -> str:
    if not _is_idna(label):
        return label.lower()
    return _idna_label(label) or unicodedata.normalize("NFKC", label.casefold())


def _is_idna(label: str) -> bool:
    """Whether IDNA 2008 decides `label`'s form: beyond ASCII, or an A-label."""
    return not label.isascii() or label.lower().startswith(_A_LABEL_PREFIX)


def _idna_label(label: str) -> str | None:
    """`label` as IDNA 2008 (UTS 46 mapping, nontransitional) writes it as a U-label; None when it refuses it."""
    try:
        return idna.decode(idna.encode(label, uts46=True, std3_rules=True))
    except idna.IDNAError:
        return None


def character_problem(value: str) -> str | None:
    """Why step 1 refuses `value`, naming the first offending character; None when it does not."""
    for character in value.strip():
        if unicodedata.category(character) in _REFUSED_CATEGORIES or _INVISIBLE.match(character):
            kind = "a space" if character.isspace() else "an invisible, control or direction-changing character"
            return f"contains {kind} (U+{ord(character):04X}), which an email address cannot have"
    return None


def _well_shaped(email: str) -> bool:
    local, at, domain = email.rpartition("@")
    if not at or len(email) > MAX_EMAIL_LENGTH or not 1 <= len(local) <= MAX_LOCAL_PART_LENGTH:
        return False
    labels = domain.split(".")
    return (
        all(run and all(_atom_character(character) for character in run) for run in local.split("."))
        and len(labels) >= 2
        and all(_domain_label(label) for label in labels)
        and len(labels[-1]) >= 2
        and not labels[-1].isdigit()
    )


def _atom_character(character: str) -> bool:
    return character in _ASCII_ATEXT or _letter_or_digit(character)


def _domain_label(label: str) -> bool:
    return (
        0 < len(label) <= 63
        and not label.startswith("-")
        and not label.endswith("-")
        and all(
            character == "-" or (character.isascii() and character.isalnum()) or _letter_or_digit(character)
            for character in label
        )
    )


def _letter_or_digit(character: str) -> bool:
    """A letter, mark or digit of a script beyond ASCII (an internationalised address, RFC 6531)."""
    return not character.isascii() and unicodedata.category(character)[0] in "LMN"


class EmailCollision(MigrationRefused):
    """Stored emails that this rule makes one address: accounts are never merged silently."""


def renormalised(stored: Iterable[tuple[object, str]]) -> list[tuple[object, str]]:
    """For a migration bringing stored emails to this rule: `(id, normalised email)` of each account `stored`
    (`(id, email)` pairs) whose email changes; `EmailCollision` naming every group that would share one address."""
    groups: defaultdict[str, list[tuple[object, str]]] = defaultdict(list)
    for account_id, email in stored:
        groups[canonical_email(email)].append((account_id, email))
    collisions = {email: accounts for email, accounts in groups.items() if len(accounts) > 1}
    if collisions:
        lines = [
            f"  {email!a}: " + ", ".join(f"{account_id} ({stored_email!a})" for account_id, stored_email in accounts)
            for email, accounts in sorted(collisions.items())
        ]
        raise EmailCollision(
            "accounts whose emails are one address once normalised (NFKC, lower case, the domain in IDNA 2008's "
            "U-labels); nothing was changed. Give "
            "all but one of each group another email (PATCH /api/v1/users/{id}) or delete them, then migrate again:\n"
            + "\n".join(lines)
        )
    return [(accounts[0][0], email) for email, accounts in groups.items() if accounts[0][1] != email]
