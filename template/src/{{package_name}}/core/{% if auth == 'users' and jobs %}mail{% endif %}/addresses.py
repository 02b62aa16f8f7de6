"""Addresses as SMTP carries them. An account's email may be internationalised (core/accounts/emails.py accepts
`jürgen@bücher.de`), and so may MAIL_FROM:

- a domain beyond ASCII travels as IDNA A-labels (`bücher.de` is `xn--bcher-kva.de`, IDNA 2008 with UTS 46 mapping,
  the `idna` package; Python's own `idna` codec is IDNA 2003): with an ASCII local part the address is then plain
  ASCII, which every SMTP server takes, in the envelope and the headers. IDNA 2003 and case folding both turn `ß`
  into `ss` and `ς` into a plain sigma, which IDNA 2008 keeps apart (`faß.de` is `xn--fa-hia.de`, not `fass.de`):
  the email rule stores an account's domain as IDNA 2008 writes it, and IDNA 2008 sends it where it names;
- a local part beyond ASCII (`jürgen@…`, `große@…`) has no ASCII form: only a server that offers SMTPUTF8
  (RFC 6531) takes it, and it travels as it is written (the email rule lower-cases it, never folds `ß` into `ss`).
  A server that does not offer it never will for this address, so the send fails for good at once
  (`SmtpUtf8NotOfferedError`) instead of being retried for hours.
"""

from __future__ import annotations

import smtplib
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Final

import idna

# Whose address an error names (`whose=`), never the address itself.
SENDER: Final = "MAIL_FROM"
RECIPIENT: Final = "the recipient"
CONFIGURED: Final = "the address"
"""MAIL_FROM checked as a setting, whose error line already begins with the setting's name."""


class UnsendableAddressError(Exception):
    """An address SMTP cannot carry (to this server, or to any). Its text says why and names no address: it is safe
    for a log line and a Sentry event."""


class InvalidDomainError(UnsendableAddressError, ValueError):
    """A domain that IDNA 2008 refuses: no server can be given it."""


class SmtpUtf8NotOfferedError(UnsendableAddressError, smtplib.SMTPNotSupportedError):
    """The server does not offer SMTPUTF8, which an address with a local part beyond ASCII needs. An SMTP refusal
    that no retry mends (core/mail/retries.py)."""

    def __init__(self) -> None:
        super().__init__(
            "the SMTP server does not offer SMTPUTF8, which an address whose local part is not ASCII needs (RFC 6531)"
        )


def ascii_domain(domain: str, *, whose: str) -> str:
    """`domain` with each label beyond ASCII as its IDNA 2008 A-label; ASCII labels as they are (a host name such as
    `ab--c.example` is no IDNA label, yet a valid domain). `InvalidDomainError` naming `whose` address it is."""
    labels = []
    for label in domain.split("."):
        if label.isascii():
            labels.append(label)
            continue
        try:
            labels.append(idna.encode(label, uts46=True, std3_rules=True).decode("ascii"))
        except idna.IDNAError as refusal:
            raise InvalidDomainError(
                f"the domain of {whose} is not a valid internationalised domain name (IDNA 2008): it has "
                + _idna_reason(refusal)
            ) from None
    return ".".join(labels)


def _idna_reason(refusal: idna.IDNAError) -> str:
    """Why IDNA 2008 refused a label, in words fixed by the refusal's kind: the `idna` package's own message quotes
    the label, a part of the address."""
    if isinstance(refusal, idna.InvalidCodepointContext):
        return "a character IDNA 2008 allows only in certain company (a joiner, a middle dot)"
    if isinstance(refusal, idna.InvalidCodepoint):
        return "a character IDNA 2008 does not allow"
    if isinstance(refusal, idna.IDNABidiError):
        return "a label whose direction of writing IDNA 2008 does not allow (RFC 5893)"
    return "a label IDNA 2008 does not allow: too long, a hyphen first, last or third and fourth, or a mark first"


def smtp_address(address: str, *, whose: str) -> Address:
    """`address` (`local@domain`) as the envelope and the headers carry it: the domain as A-labels when the local part
    is ASCII, the address as written when it is not (then only a server offering SMTPUTF8 takes it; its domain is
    still checked). `whose` names the address in an error (`the recipient`, `MAIL_FROM`), never the address itself."""
    local, _, domain = address.rpartition("@")
    transported = ascii_domain(domain, whose=whose)
    return Address(username=local, domain=transported if local.isascii() else domain)


def smtp_mailbox(value: str, *, whose: str) -> Address:
    """`smtp_address` of a mailbox with an optional display name (`My Service <no-reply@bücher.de>`); the name keeps
    its characters (a header encodes it)."""
    name, address = parseaddr(value)
    transported = smtp_address(address, whose=whose)
    return Address(display_name=name, username=transported.username, domain=transported.domain)
