"""The SMTP server the service sends through (`MAIL_SMTP_URL`) and the one call that sends a message.

`MAIL_SMTP_URL` names the server and how to reach it:
- `smtps://user:password@host:465`: TLS from the first byte (implicit TLS, RFC 8314's recommendation);
- `smtp+starttls://user:password@host:587`: plain connection upgraded with STARTTLS before anything is sent;
- `smtp://host:1025`: no encryption (a local relay, Mailpit, the tests' server); production accepts it only on
  loopback, where nothing crosses a network.
User and password are percent-encoded in the URL (`%40` for `@`); they are optional for all three.

Sending uses the standard library's `smtplib` on a worker thread: one message per job, so a blocking client costs a
thread for the few hundred milliseconds of a send and adds no dependency (aiosmtplib would only save that thread).
"""

from __future__ import annotations

import asyncio
import ipaddress
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Final, Literal
from urllib.parse import unquote, urlsplit

from opentelemetry.trace import SpanKind

from ..trace_context import span
from .addresses import SENDER, SmtpUtf8NotOfferedError, ascii_domain

Security = Literal["none", "starttls", "tls"]

SCHEMES: Final[dict[str, tuple[Security, int]]] = {
    "smtp": ("none", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("tls", 465),
}
URL_SHAPE: Final = "smtps://[user:password@]host[:port], smtp+starttls://… or smtp://… (loopback only in production)"
DEFAULT_TIMEOUT_S: Final = 10.0


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int
    security: Security
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # never in a repr, a log line or an error
    timeout_s: float = DEFAULT_TIMEOUT_S

    @property
    def on_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    def describe(self) -> str:
        """For a log line: where mail goes, never who logs in there."""
        return f"{self.security} SMTP at {self.host}:{self.port}"


def parse_smtp_url(url: str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> SmtpServer:
    """The server `url` names; `ValueError` saying what is wrong (never echoing the URL, which may hold a
    password)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ValueError(f"must be {URL_SHAPE}; the port is not a number from 0 to 65535") from None
    if parts.scheme not in SCHEMES:
        raise ValueError(f"must be {URL_SHAPE}")
    if not parts.hostname:
        raise ValueError(f"names no host: it must be {URL_SHAPE}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"must be {URL_SHAPE}, with no path, query or fragment")
    security, default_port = SCHEMES[parts.scheme]
    return SmtpServer(
        host=parts.hostname,
        port=port or default_port,
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        timeout_s=timeout_s,
    )


def send_message(server: SmtpServer, message: EmailMessage) -> None:
    """Sends `message` (its To, From and Subject set) and returns once the server accepted it; raises
    `smtplib.SMTPException` or `OSError` otherwise (retries.py tells whether the job tries again).

    The client greets the server (EHLO) with the From's domain, as A-labels (a command is ASCII): smtplib's default,
    the machine's fully qualified name, costs a DNS lookup in some containers and tells the server the pod's name.

    An address whose local part is not ASCII needs a server offering SMTPUTF8: without it, `SmtpUtf8NotOfferedError`
    (addresses.py), which no retry mends."""
    attributes: dict[str, str | int] = {
        "network.protocol.name": "smtp",
        "server.address": server.host,
        "server.port": server.port,
    }
    # The job's span is its parent; never an address in it (the log lines redact them too).
    with span("SMTP send", SpanKind.CLIENT, attributes):
        _send(server, message)


def _send(server: SmtpServer, message: EmailMessage) -> None:
    context = ssl.create_default_context()
    sender_domain = parseaddr(str(message["From"] or ""))[1].rpartition("@")[2]
    greeting = ascii_domain(sender_domain, whose=SENDER) or "localhost"
    client: smtplib.SMTP
    if server.security == "tls":
        client = smtplib.SMTP_SSL(
            server.host, server.port, local_hostname=greeting, timeout=server.timeout_s, context=context
        )
    else:
        client = smtplib.SMTP(server.host, server.port, local_hostname=greeting, timeout=server.timeout_s)
    with client:
        if server.security == "starttls":
            client.starttls(context=context)  # raises when the server does not offer it: never sent in clear
        if server.username is not None:
            client.login(server.username, server.password or "")
        try:
            client.send_message(message)
        except smtplib.SMTPNotSupportedError:  # smtplib's one reason here: an address needs SMTPUTF8, not offered
            raise SmtpUtf8NotOfferedError from None


async def send_message_async(server: SmtpServer, message: EmailMessage) -> None:
    """`send_message` on a worker thread: the event loop (and the worker's other jobs) go on meanwhile."""
    await asyncio.to_thread(send_message, server, message)


def redacted_address(address: str) -> str:
    """An address as log lines may show it: its first character and its domain (`a…@example.com`)."""
    local, at, domain = address.rpartition("@")
    if not at:
        return "…"
    return f"{local[:1]}…@{domain}"
