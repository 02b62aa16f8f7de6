"""The service always keeps an account that may manage accounts. The users API refuses (409, `LAST_ADMIN`) to
deactivate, demote or delete the last active account holding `users:admin`, whoever asks, the admin itself
included: otherwise only an operator with a shell could manage accounts again. The `users` command still may (it
warns, `NO_ADMIN_LEFT`): it is how an operator recovers, and how a stolen last admin account is stopped at once.

Each framework checks it in the transaction that makes the change, with the active admins' rows locked (PostgreSQL),
so that two admins removing each other at once cannot both succeed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from .roles import holds

ADMIN_SCOPE: Final = "users:admin"
"""The scope that manages every account (each framework's users/scopes.py guards its routes with it)."""

_GIVES_ADMIN: Final = frozenset({"scopes", "roles"})

LAST_ADMIN: Final = (
    "This is the last active account holding users:admin: grant users:admin to another account before "
    "deactivating, demoting or deleting it"
)
NO_ADMIN_LEFT: Final = "warning: no active account holds users:admin any more; `users create EMAIL --admin` makes one"


def may_remove_admin(changes: Mapping[str, Any]) -> bool:
    """Whether `changes` (the fields a caller sent, with their values) may take `ADMIN_SCOPE` from some account: a
    deactivation, or new scopes or roles. Known before the account's row is read, so the admins' rows are locked
    first, in the order every such change takes them."""
    return changes.get("is_active") is False or bool(changes.keys() & _GIVES_ADMIN)


def removes_admin(scopes: Iterable[str], roles: Iterable[str], changes: Mapping[str, Any]) -> bool:
    """Whether `changes` take `ADMIN_SCOPE` from an account holding `scopes` and `roles` now: a deactivation, or
    scopes and roles (those sent, else the account's) that no longer give it."""
    if changes.get("is_active") is False:
        return True
    if not changes.keys() & _GIVES_ADMIN:
        return False
    return not holds(changes.get("scopes", scopes), changes.get("roles", roles), ADMIN_SCOPE)
