"""The rules of the service's roles (named sets of scopes): the table itself is the service's policy, declared in
its top-level `roles.py` beside `config.py` and read here once, checked (a bad name or scope stops the service,
naming every problem) and frozen: the users API, the `users` command, sign-up and the token endpoint all read `ROLES`.

An account holds its own `scopes` and a list of `roles`. Every token issued to it carries the union of the two,
resolved when the token is issued (a sign-in or a refresh): change a role, or an account's roles, and the account's
next tokens carry the change; a token issued before keeps its scopes until it expires. A refresh carries what the
account holds then, within what its sign-in asked for: a scope taken away (from a role, or a role from the account)
is gone from the next refreshed token, and a scope given arrives with it too, unless the sign-in named its scopes
(`scope=items:read`): a refresh never exceeds what was asked for (RFC 6749 section 6).

- A role holding `*` (EVERY_ROUTE_SCOPE) holds every scope the service's routes declare, a new resource's included,
  which is what `users create --admin` (`--role ADMIN_ROLE`) always gave.
- SIGN_UP_ROLES_DEFAULT is what an account made by sign-up gets (`AUTH_SIGN_UP_ROLES`, which refuses a role with an
  admin scope: nobody may grant one to themselves).
A role's name is ROLE_NAME, each of its scopes a scope name (grants.SCOPE_NAME) or `*`. The API and the command
refuse to give a role not declared (422, exit 1). An account stored with a role since removed keeps the name but
gets nothing from it (a warning is logged once per name), so removing a role never locks anyone out of anything but
what the role gave; give such accounts another role.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

from ... import roles as policy
from .grants import SCOPE_NAME

logger = logging.getLogger(__name__)

EVERY_ROUTE_SCOPE: Final = "*"
"""In a role's scopes: every scope the service's routes declare (a token never carries `*` itself)."""
ROLE_NAME: Final = re.compile(r"[a-z][a-z0-9_-]{0,31}")
"""A role's name: a lower-case letter, then up to 31 lower-case letters, digits, `_` or `-`."""
MAX_ROLES_PER_ACCOUNT: Final = 20


def declared_roles(roles: Mapping[str, Iterable[str]]) -> Mapping[str, frozenset[str]]:
    """`roles` checked (ValueError naming every problem at once) and frozen."""
    problems = [f"role {name!r}: a role name is {ROLE_NAME.pattern}" for name in roles if not ROLE_NAME.fullmatch(name)]
    problems += [
        f"role {name!r}: {scope!r} is not a scope name (1 to 64 printable characters, no space, quote or backslash)"
        for name, scopes in roles.items()
        for scope in scopes
        if not SCOPE_NAME.fullmatch(scope)  # `*` is one
    ]
    if problems:
        raise ValueError(f"{policy.__name__}: " + "; ".join(problems))
    return MappingProxyType({name: frozenset(scopes) for name, scopes in roles.items()})


ROLES: Final = declared_roles(policy.ROLES)
ADMIN_ROLE: Final = policy.ADMIN_ROLE
"""The role `users create --admin` gives."""
SIGN_UP_ROLES_DEFAULT: Final = policy.SIGN_UP_ROLES_DEFAULT
"""The roles of an account made by sign-up unless AUTH_SIGN_UP_ROLES names others."""


def unknown_roles(names: Iterable[str]) -> list[str]:
    """The names in `names` that no role of `ROLES` has, in the order given."""
    return [name for name in names if name not in ROLES]


def unknown_role_problem(names: Iterable[str]) -> str | None:
    """Why `names` cannot be given to an account (a sentence naming the unknown ones), or None."""
    unknown = unknown_roles(names)
    if not unknown:
        return None
    return f"unknown role(s) {', '.join(unknown)}: the roles are {', '.join(sorted(ROLES))}"


_reported_missing: set[str] = set()


def role_scopes(names: Iterable[str], route_scopes: Iterable[str] = ()) -> frozenset[str]:
    """The scopes the roles `names` give, `*` being `route_scopes` (every scope the routes declare). A name `ROLES` no
    longer has gives nothing: an account stored with a role since removed from the code keeps signing in with the rest
    (a warning names it, once per process)."""
    scopes: set[str] = set()
    for name in names:
        role = ROLES.get(name)
        if role is not None:
            scopes |= role - {EVERY_ROUTE_SCOPE}
            if EVERY_ROUTE_SCOPE in role:
                scopes.update(route_scopes)
        elif name not in _reported_missing:
            _reported_missing.add(name)
            logger.warning(
                "an account has the role %r, which %s no longer declares: it gives no scope", name, policy.__name__
            )
    return frozenset(scopes)


def held_scopes(scopes: Iterable[str], roles: Iterable[str], route_scopes: Iterable[str] = ()) -> frozenset[str]:
    """Every scope an account holds: its own `scopes` and those of its `roles` (what its tokens may carry); `*` is
    `route_scopes`, every scope the routes declare."""
    return frozenset(scopes) | role_scopes(roles, route_scopes)


def roles_granting(scope: str) -> frozenset[str]:
    """The names of the roles that give `scope`, by name or by `*` (the roles that make an account an admin, say)."""
    return frozenset(name for name, scopes in ROLES.items() if scope in scopes or EVERY_ROUTE_SCOPE in scopes)


def holds(scopes: Iterable[str], roles: Iterable[str], scope: str) -> bool:
    """Whether an account with these `scopes` and `roles` holds `scope` (a scope the routes declare)."""
    return scope in scopes or bool(roles_granting(scope) & set(roles))


ROLES_DESCRIPTION: Final = f"Named sets of scopes this user's tokens also carry (one of: {', '.join(sorted(ROLES))})"
