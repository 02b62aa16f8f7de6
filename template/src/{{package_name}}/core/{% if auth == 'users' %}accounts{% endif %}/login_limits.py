"""Brute-force limits of the token endpoint, on core/limits.py's buckets (Redis when the service uses it, else this
process's memory): every password attempt spends one request of its address's budget
(`AUTH_LOGIN_LIMIT_PER_ADDRESS`, default 10/minute) and one of its account's (`AUTH_LOGIN_LIMIT_PER_ACCOUNT`, default
30/hour), refresh requests their address's only. Over either: 429 with `Retry-After`, before the password is checked.

The lock-out trade-off: a per-account limit lets anyone who knows an email slow its owner's logins down (from many
addresses). The account budget is therefore generous (30 an hour stops online guessing of any password the policy
accepts, and costs a locked-out owner at most two minutes per attempt), never a hard lock that needs an admin; the
per-address budget, the one that stops a single guesser, is tight. Unknown emails have budgets too, so a 429 says
nothing about whether an account exists.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Final, Protocol

from ..limits import Rate, Verdict, parse_rate

logger = logging.getLogger(__name__)

PER_ADDRESS_DEFAULT: Final = "10/minute"
PER_ACCOUNT_DEFAULT: Final = "30/hour"


class AsyncBuckets(Protocol):
    """core/limits.py's `MemoryBuckets` or core/redis_limits.py's `AsyncRedisBuckets`."""

    name: str
    errors: tuple[type[BaseException], ...]

    async def spend_async(self, key: str, rate: Rate) -> Verdict: ...


@dataclass(frozen=True, slots=True)
class LoginLimits:
    buckets: AsyncBuckets
    per_address: Rate
    per_account: Rate

    @classmethod
    def from_text(cls, buckets: AsyncBuckets, per_address: str, per_account: str) -> LoginLimits:
        return cls(buckets, parse_rate(per_address), parse_rate(per_account))

    async def refused(self, address: str, account: str | None) -> Verdict | None:
        """The verdict that refuses this attempt (its `retry_after_s` is the Retry-After), or None to go on.
        `account` is the username tried (None for a refresh). A failing store lets the attempt through (logged):
        the limits must not become the outage."""
        for key, rate in login_budgets(address, account, self.per_address, self.per_account):
            try:
                verdict = await self.buckets.spend_async(key, rate)
            except self.buckets.errors as exc:
                logger.warning("Login limit not checked (%s unavailable: %s)", self.buckets.name, type(exc).__name__)
                continue
            if not verdict.allowed:
                return verdict
        return None


def login_budgets(address: str, account: str | None, per_address: Rate, per_account: Rate) -> list[tuple[str, Rate]]:
    """The budgets (bucket key, rate) one attempt spends, in order: its address's, then its account's (`account`
    None: a refresh). A framework whose request handlers are synchronous spends them with its synchronous store."""
    budgets = [(f"login:address:{address}", per_address)]
    if account is not None:
        budgets.append((f"login:account:{_account_key(account)}", per_account))
    return budgets


def _account_key(username: str) -> str:
    """Budgets are keyed by a digest of the normalised email: the same account whatever its case, and no email
    address written into Redis."""
    return hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
