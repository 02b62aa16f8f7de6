"""How an optional integration declares itself, the same in every web framework.

An integration module says so with `INTEGRATION = Integration(order, install)`; `install_integrations` installs
every one present, lowest `order` first: adding or removing an integration is adding or removing its module, with
no list to keep in step. `install(settings, wiring)` only adds to the wiring (`base.py`'s `Wiring`: readiness
checks, start and stop hooks, the objects other parts need, what the web framework applies); the framework's own
start-up (`create_app`, or `wiring()` in Django) applies it. An integration never touches the web application.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.discovery import declarations

if TYPE_CHECKING:
    from ..config import Settings
    from .base import Wiring


@dataclass(frozen=True)
class Integration:
    """What an optional integration module declares as `INTEGRATION`.

    The order is what one integration needs from another: 5 the admin, 10-30 the Redis connection and what lives
    on it (the application cache, the shared budgets) and the read replica, 40 rate limiting, 50 authentication
    (after the limiter, so that a flood of bad tokens is limited by address), 60 what needs the verifier or the
    budgets' store (the accounts, token revocation), 65 what needs the accounts' login limits, 70 and up the
    observers (error tracking, metrics: after the cache, whose listeners they add) and the docs pages. Two
    integrations of one order never need each other.
    """

    order: int
    install: Callable[[Settings, Wiring], object]
    """Adds the integration's part to the wiring; what it returns is for direct callers (tests)."""


def present_integrations() -> list[Integration]:
    """The integrations of this service, in install order. A module with an `install` function and no `INTEGRATION`
    stops the start: it would otherwise be left out without a word."""
    package = __name__.rpartition(".")[0]
    found = declarations(package, "INTEGRATION", Integration, sign="install")
    return sorted(found, key=lambda integration: integration.order)


def install_integrations(settings: Settings, wiring: Wiring) -> None:
    """Installs every integration into `wiring`, in order; the web framework applies the wiring afterwards."""
    for integration in present_integrations():
        integration.install(settings, wiring)
