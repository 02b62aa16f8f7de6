"""When an email's job is retried: a send that fails for a reason that may pass (the server unreachable or answering
4xx) is retried for hours (`MailRetry`); one the server refuses for good (5xx), or a bug, is left `failed` at once,
where a person can see and retry it. Framework-neutral: each framework's mail tasks build their `MailRetry` with the
errors of their own database that a later attempt may mend (a row not committed yet, a connection lost)."""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterator
from typing import Final

from procrastinate import BaseRetryStrategy, RetryDecision
from procrastinate.jobs import Job

SEND_RETRIES: Final = 20
"""Retries after the first attempt: 2, 4, 8 ... seconds apart, then every `SEND_RETRY_CAP_S`; about five and a half
hours in all, so an SMTP server down for an afternoon loses no email. A reset or verification that expires meanwhile is
not sent any more: its job finds it expired and ends."""
SEND_RETRY_CAP_S: Final = 1800

EMAIL_CHANGE_NOTICE_KEPT_S: Final = 3 * 86_400
"""How long an account's old address is kept for the email that tells it of an email change: the accounts' hourly
prune deletes a notice older than this, sent or not. Well past the hours a send is retried, with days left for a
person to retry a failed job."""

TransientCheck = Callable[[BaseException], bool]
"""Whether an error outside SMTP's and the network's (the framework's database) is one a later attempt may mend."""


def transient_mail_failure(error: BaseException, also_transient: TransientCheck | None = None) -> bool:
    """Whether a later attempt may succeed: the server unreachable or gone mid-conversation (`OSError`,
    `SMTPServerDisconnected`), a 4xx answer (RFC 5321's "try again later"), or an error `also_transient` accepts. A
    5xx answer, a server that cannot take the message (`SMTPNotSupportedError`) and any other error are not: retrying
    them for hours would only delay the `failed` a person has to look at. An error that wraps another
    (`raise ... from`) is judged by what it wraps."""
    for cause in _causes(error):
        if also_transient is not None and also_transient(cause):
            return True
        verdict = _transient(cause)
        if verdict is not None:
            return verdict
    return False


def _transient(error: BaseException) -> bool | None:
    """`transient_mail_failure`'s verdict on one error of the chain; None: not an error it knows, ask its cause."""
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return any(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPException):  # an OSError too, but not one a retry mends
        return False
    if isinstance(error, OSError):
        return True
    return None


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


class MailRetry(BaseRetryStrategy):
    """Retries a transient failure (`transient_mail_failure`) `SEND_RETRIES` times, backing off exponentially up to
    `SEND_RETRY_CAP_S` between attempts; anything else fails the job at once."""

    def __init__(self, also_transient: TransientCheck | None = None) -> None:
        self.also_transient = also_transient

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if job.attempts >= SEND_RETRIES or not transient_mail_failure(exception, self.also_transient):
            return None
        return RetryDecision(retry_in={"seconds": retry_wait_s(job.attempts)})


def retry_wait_s(attempts: int) -> int:
    """Seconds before the next attempt, after `attempts` attempts."""
    return int(min(2 ** (attempts + 1), SEND_RETRY_CAP_S))
