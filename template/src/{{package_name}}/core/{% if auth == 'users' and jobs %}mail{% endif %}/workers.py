"""What keeps a worker from starting for want of a mail server: every worker runs the accounts' email tasks, and an
email the API promised (a reset, a verification) must not fail hours later because the worker cannot send it."""

from __future__ import annotations

from typing import Final

from ..settings import ServiceSettings

WORKER_NEEDS_MAIL: Final = (
    "MAIL_SMTP_URL: the worker sends the accounts' emails (password reset, sign-up, notifications): set it outside "
    "development and test, in the worker's environment as in the API's"
)


def worker_mail_problems(settings: ServiceSettings) -> list[str]:
    """The settings problems (reported as an invalid configuration's) that keep a worker from starting: no
    MAIL_SMTP_URL outside development and test."""
    if settings.mail_smtp_url is None and settings.environment not in ("development", "test"):
        return [WORKER_NEEDS_MAIL]
    return []
