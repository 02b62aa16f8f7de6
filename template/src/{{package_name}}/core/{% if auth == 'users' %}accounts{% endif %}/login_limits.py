"""Brute-force limits of the token endpoint, on core/limits.py's buckets (Redis when the service uses it, else this
process's memory): every password attempt spends one request of its address's budget
(`AUTH_LOGIN_LIMIT_PER_ADDRESS`, default 10/minute) and one of its account's (`AUTH_LOGIN_LIMIT_PER_ACCOUNT`, default
30/hour), refresh requests their address's only. Over either: 429 with `Retry-After`, before the password is checked.

An IPv6 client is counted by its /64 network, not its single address: one machine usually holds a whole /64 (SLAAC,
privacy addresses) and could otherwise take a fresh budget per attempt. An IPv4 client is counted by its address.

While the shared store (Redis) fails, the budgets are this process's memory (the same rules, per process): an outage
of Redis neither stops logins nor lifts the brute-force limits. The store's circuit breaker decides when to try it
again (core/redis.py), and its owner logs the outage at a bounded rate; once Redis answers, budgets live there again.

The lock-out trade-off: a per-account limit lets anyone who knows an email slow its owner's logins down (from many
addresses). The account budget is therefore generous (30 an hour stops online guessing of any password the policy
accepts, and costs a locked-out owner at most two minutes per attempt), never a hard lock that needs an admin; the
per-address budget, the one that stops a single guesser, is tight. Unknown emails have budgets too, so a 429 says
nothing about whether an account exists. While an account's budget is spent, its owner's password attempts are
refused like anyone's (the service cannot tell an owner on a new address from a guesser on one, and letting "clean"
addresses try would give a guesser with many addresses unlimited attempts); an owner who is signed in keeps going,
since a refresh spends only its address's budget.
"""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Final, Protocol

from ..limits import MemoryBuckets, Rate, Verdict, parse_rate
from .emails import canonical_email

PER_ADDRESS_DEFAULT: Final = "10/minute"
PER_ACCOUNT_DEFAULT: Final = "30/hour"

IPV6_NETWORK_PREFIX: Final = 64
"""IPv6 clients share one per-address budget per network of this prefix length (a /64: one subscriber's LAN)."""


class BudgetStore(Protocol):
    """Where the budgets live, with its circuit breaker: core/limits.py's `MemoryBuckets` (never fails) or Redis's
    buckets (core/redis_limits.py). `errors` are what the store raises when it cannot answer."""

    name: str
    errors: tuple[type[BaseException], ...]

    def available(self) -> bool: ...

    def record_failure(self, exc: BaseException) -> None: ...

    def record_success(self) -> None: ...


class AsyncBuckets(BudgetStore, Protocol):
    async def spend_async(self, key: str, rate: Rate) -> Verdict: ...


class SyncBuckets(BudgetStore, Protocol):
    def spend(self, key: str, rate: Rate) -> Verdict: ...


class _Limits:
    """The rules both kinds of callers share: which budgets an attempt spends, and the memory they fall back to."""

    def __init__(self, per_address: Rate, per_account: Rate, *, kind: str = "login") -> None:
        self.per_address = per_address
        self.per_account = per_account
        self.kind = kind
        """Whose budgets these are: `login` (the token endpoint), `password-reset` (asking for a reset email)."""
        self.in_memory = MemoryBuckets()
        """The budgets spent while the store fails (this process's: each replica counts its own)."""

    def budgets(self, address: str, account: str | None) -> list[tuple[str, Rate]]:
        return login_budgets(address, account, self.per_address, self.per_account, kind=self.kind)


class LoginLimits(_Limits):
    """The login limits for callers on the event loop (async route handlers)."""

    def __init__(self, store: AsyncBuckets, per_address: Rate, per_account: Rate, *, kind: str = "login") -> None:
        super().__init__(per_address, per_account, kind=kind)
        self.store = store

    @classmethod
    def from_text(cls, store: AsyncBuckets, per_address: str, per_account: str, *, kind: str = "login") -> LoginLimits:
        return cls(store, parse_rate(per_address), parse_rate(per_account), kind=kind)

    async def refused(self, address: str, account: str | None) -> Verdict | None:
        """The verdict that refuses this attempt (its `retry_after_s` is the Retry-After), or None to go on.
        `address`: the client's (`core.limits.client_identity`); `account`: the username tried (None: a refresh)."""
        store = self.store
        for key, rate in self.budgets(address, account):
            verdict = None
            if store.available():
                try:
                    verdict = await store.spend_async(key, rate)
                except store.errors as exc:
                    store.record_failure(exc)
                else:
                    store.record_success()
            if verdict is None:
                verdict = self.in_memory.spend(key, rate)
            if not verdict.allowed:
                return verdict
        return None


class SyncLoginLimits(_Limits):
    """The login limits for synchronous callers (views running in threads); the same rules as `LoginLimits`."""

    def __init__(self, store: SyncBuckets, per_address: Rate, per_account: Rate, *, kind: str = "login") -> None:
        super().__init__(per_address, per_account, kind=kind)
        self.store = store

    @classmethod
    def from_text(
        cls, store: SyncBuckets, per_address: str, per_account: str, *, kind: str = "login"
    ) -> SyncLoginLimits:
        return cls(store, parse_rate(per_address), parse_rate(per_account), kind=kind)

    def refused(self, address: str, account: str | None) -> Verdict | None:
        """The verdict that refuses this attempt, or None to go on (see `LoginLimits.refused`)."""
        store = self.store
        for key, rate in self.budgets(address, account):
            verdict = None
            if store.available():
                try:
                    verdict = store.spend(key, rate)
                except store.errors as exc:
                    store.record_failure(exc)
                else:
                    store.record_success()
            if verdict is None:
                verdict = self.in_memory.spend(key, rate)
            if not verdict.allowed:
                return verdict
        return None


def login_budgets(
    address: str, account: str | None, per_address: Rate, per_account: Rate, *, kind: str = "login"
) -> list[tuple[str, Rate]]:
    """The budgets (bucket key, rate) one attempt spends, in order: its address's, then its account's (`account`
    None: a refresh). `kind` keeps the budgets of different doors apart (a reset request spends no login's)."""
    budgets = [(f"{kind}:address:{address_key(address)}", per_address)]
    if account is not None:
        budgets.append((f"{kind}:account:{_account_key(account)}", per_account))
    return budgets


def address_key(address: str) -> str:
    """Whose per-address budget a client spends: an IPv6 address's /64 network (`2001:db8:1:2::/64`), an IPv4
    address itself (an IPv4-mapped IPv6 address counts as its IPv4 one), anything else as it is (`unidentified`)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, IPV6_NETWORK_PREFIX), strict=False))
    return str(parsed)


def _account_key(username: str) -> str:
    """Budgets are keyed by a digest of the normalised email (emails.py): the same account whatever its case or its
    domain's form, and no email address written into Redis."""
    return hashlib.sha256(canonical_email(username).encode()).hexdigest()[:32]
