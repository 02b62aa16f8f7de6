"""Why the API and the worker refuse to start without a mail server outside development and test: the worker runs
the accounts' email tasks, and the API promises those emails (a reset, a verification, a notice). One of them
running without MAIL_SMTP_URL leaves every email it promised, and every operation queued behind them, waiting
forever with nothing to say why; both refusing at start says it at once, in the deployment's own log
(`ServiceSettings.serving_problems`)."""

from __future__ import annotations

from typing import Final

MAIL_REQUIRED: Final = (
    "MAIL_SMTP_URL: the accounts' emails (password reset, sign-up, notifications) are sent through it: set it outside "
    "development and test, for the API and the worker alike"
)
