"""Sending one of the service's emails: the settings name the server (MAIL_SMTP_URL) and the sender (MAIL_FROM), the
templates a team edits give the message (`messages.py`), `smtp.py` sends it. Framework-neutral: each framework's
email jobs call `send_mail` (or `send_mail_async`) with the settings of the process they run in, the worker's, and
the email's declaration (messages.py's `Mail`), which the values passed must match.

Log lines and errors name the email and a redacted recipient (`a…@example.com`), never an address in full: a send
the server refuses raises `MailSendError`, whose text holds the SMTP reply code and the redacted address only, and
which is raised `from None` (smtplib's own exceptions print the full address: `SMTPRecipientsRefused` is a dict keyed
by it). The worker logs a failed job with its exception, and Sentry reports it: both see this error, not smtplib's.
An address SMTP cannot carry (addresses.py: a domain IDNA refuses, a local part beyond ASCII and a server without
SMTPUTF8) is a `MailSendError` too, which says why.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from email.message import EmailMessage
from typing import Protocol

from pydantic import SecretStr

from ... import SERVICE_NAME
from .addresses import UnsendableAddressError
from .messages import DECLARED, Mail, MailTemplates, MailValues
from .smtp import SmtpServer, parse_smtp_url, redacted_address, send_message

logger = logging.getLogger(__name__)


class MailSettings(Protocol):
    """What sending reads of the service's settings (core/settings_account_email.py's MAIL_*)."""

    @property
    def mail_smtp_url(self) -> SecretStr | None: ...

    @property
    def mail_from(self) -> str: ...

    @property
    def mail_timeout(self) -> float: ...


class MailNotConfiguredError(Exception):
    """The process sending has no MAIL_SMTP_URL: the job fails (and retries) until it has one."""


class MailSendError(Exception):
    """The SMTP server did not take the email (or could not be reached, or could not be given its addresses). Its
    text is safe for a log line and a Sentry event: the email's name, the exception's class, the SMTP reply code, the
    redacted recipient, and why an address cannot be carried (that text names no address)."""

    def __init__(self, mail: str, recipient: str, failure: BaseException) -> None:
        self.mail = mail
        self.recipient = redacted_address(recipient)
        self.smtp_code = smtp_code(failure)
        self.reason = type(failure).__name__
        code = f" (SMTP {self.smtp_code})" if self.smtp_code is not None else ""
        why = f": {failure}" if isinstance(failure, UnsendableAddressError) else ""
        super().__init__(f"email {mail} to {self.recipient} not sent: {self.reason}{code}{why}")


def smtp_code(failure: BaseException) -> int | None:
    """The SMTP reply code of a refusal, when the server gave one (the first refused recipient's for a refused
    RCPT)."""
    if isinstance(failure, smtplib.SMTPRecipientsRefused):
        return next((code for code, _ in failure.recipients.values()), None)
    if isinstance(failure, smtplib.SMTPResponseException):
        return failure.smtp_code
    return None


def prepared(
    settings: MailSettings, mail: Mail | str, recipient: str, values: MailValues
) -> tuple[SmtpServer, EmailMessage]:
    """The server to send through and the email `mail` to `recipient`, rendered with `values` (and the service's
    name): the values its declaration names (a name declared nowhere is rendered with what it is given)."""
    declared = DECLARED.get(mail) if isinstance(mail, str) else mail
    if declared is not None:
        values = declared.checked(values)
    name = mail if isinstance(mail, str) else mail.name
    if settings.mail_smtp_url is None:
        raise MailNotConfiguredError("MAIL_SMTP_URL is not set in the environment of the process sending email")
    server = parse_smtp_url(settings.mail_smtp_url.get_secret_value(), timeout_s=settings.mail_timeout)
    message = MailTemplates().message(
        name, sender=settings.mail_from, recipient=recipient, values={"service_name": SERVICE_NAME, **values}
    )
    return server, message


def send_mail(settings: MailSettings, mail: Mail | str, recipient: str, values: MailValues) -> None:
    """Renders the email `mail` and sends it through MAIL_SMTP_URL; `MailSendError` when it was not taken."""
    name = mail if isinstance(mail, str) else mail.name
    try:
        server, message = prepared(settings, mail, recipient, values)
        send_message(server, message)
    except (smtplib.SMTPException, OSError, UnsendableAddressError) as failure:
        raise MailSendError(name, recipient, failure) from None
    logger.info("email sent", extra={"mail": name, "recipient": redacted_address(recipient)})


async def send_mail_async(settings: MailSettings, mail: Mail | str, recipient: str, values: MailValues) -> None:
    """`send_mail` on a worker thread: the event loop (and the worker's other jobs) go on meanwhile."""
    await asyncio.to_thread(send_mail, settings, mail, recipient, values)
