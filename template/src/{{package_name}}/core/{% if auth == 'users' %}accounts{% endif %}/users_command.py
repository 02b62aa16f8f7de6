"""`python -m <package> users create EMAIL [--scope S ...] [--role R ...] [--admin] [--full-name NAME] [--unverified]`,
`users set-password EMAIL`, `users deactivate EMAIL`, `users set-roles EMAIL [ROLE ...]`: manage accounts from a
shell (the first admin, a forgotten password, a leaver, a promotion), once for every framework. Each framework's
`users/commands.py` gives it the accounts' store (`UsersStore`: SQLAlchemy's, or the ORM's run by core/flows.py's
`run_unsuspended`) and answers for its database being unavailable.

Roles are roles.py's; `--admin` is `--role admin`. Without `--scope`, an account made with no role holds every scope
the service's routes declare but the admin ones (`users:admin`, `items:admin`: acting on every account and every
owner's records); one made with a role holds no scope of its own (its roles say what it may do). `set-roles` replaces
the account's roles (none when no ROLE is named) and signs nobody out: its next tokens carry them, and a refresh drops
what it no longer holds.

A password is read from standard input: typed without echo on a terminal (twice, to catch a typo), else the first
line of the input (`printf '%s\\n' "$PASSWORD" | python -m <package> users create ...`). Never an argument: those
end up in shell history and in `ps`. Setting a password or deactivating signs the user out everywhere.

EMAIL follows the users API's rule (core/accounts/emails.py): `create` refuses what the API refuses and stores what
it stores. Unlike the API, `deactivate` may disable the last active account holding users:admin (it warns): the
command line is how an operator recovers, or stops a stolen admin account at once.

Exit status: 0 done; 1 refused (no such user, email taken, password refused, database unavailable); 2 usage.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol, TextIO
from uuid import UUID

from ..commands import USAGE_EXIT_STATUS
from .admins import NO_ADMIN_LEFT
from .emails import login_email, normalised_email
from .passwords import password_problem
from .roles import ADMIN_ROLE, unknown_role_problem


class Refused(Exception):  # noqa: N818 - reads as what happened
    """The command cannot do what was asked; the message says why (it never contains a password)."""


class EmailTakenError(Exception):
    """Another account has the email (whatever its case)."""


@dataclass(frozen=True, slots=True)
class AccountName:
    """What the command shows of an account, and what a new password may not be close to."""

    id: UUID
    email: str
    full_name: str
    scopes: Sequence[str] = ()
    roles: Sequence[str] = ()


class UsersStore(Protocol):
    """A framework's accounts, as the command changes them: each change in one transaction, audited as the command
    line's (core/accounts/audit.py's `COMMAND_LINE`), and a new password or a deactivation signs the account out."""

    async def default_scopes(self) -> Collection[str]:
        """Every scope the service's routes declare but the admin ones: what a new account holds without --scope."""

    async def find(self, email: str) -> AccountName | None: ...

    async def create(
        self, email: str, password: str, *, full_name: str, scopes: Sequence[str], roles: Sequence[str], verified: bool
    ) -> AccountName:
        """The new account; `EmailTakenError` when another has the email."""

    async def set_password(self, account: AccountName, password: str) -> None:
        """Also ends its one-time tokens and tells its owner (when the service sends email)."""

    async def deactivate(self, account: AccountName) -> bool:
        """Whether no active account holding users:admin is left."""

    async def set_roles(self, account: AccountName, roles: Sequence[str]) -> bool:
        """Whether no active account holding users:admin is left."""


def parser(program: str, *, unverified: bool = True) -> argparse.ArgumentParser:
    """`unverified`: whether `create --unverified` is offered (accounts verify their email only where they are sent
    one)."""
    commands = argparse.ArgumentParser(prog=f"python -m {program} users", description="Manage the service's accounts.")
    actions = commands.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create an account (password on standard input)")
    create.add_argument("email")
    create.add_argument("--scope", action="append", default=None, help="a scope it holds (repeat); default: all")
    create.add_argument("--role", action="append", default=[], help="a role it has (repeat; roles.py)")
    create.add_argument(
        "--admin",
        action="append_const",
        dest="role",
        const=ADMIN_ROLE,
        help=f"--role {ADMIN_ROLE}: manages every account, acts on everyone's records",
    )
    create.add_argument("--full-name", default="")
    if unverified:
        create.add_argument(
            "--unverified", action="store_true", help="its email is not verified: it cannot sign in until it is"
        )
    actions.add_parser("set-password", help="give an account a new password (signs it out)").add_argument("email")
    actions.add_parser("deactivate", help="disable an account (signs it out)").add_argument("email")
    set_roles = actions.add_parser("set-roles", help="replace an account's roles (none when no ROLE is named)")
    set_roles.add_argument("email")
    set_roles.add_argument("roles", nargs="*", metavar="ROLE")
    return commands


def parse(arguments: Sequence[str], program: str, *, unverified: bool = True) -> argparse.Namespace | int:
    """The command's options, or its exit status when argparse printed the help (0) or what is wrong (2)."""
    try:
        return parser(program, unverified=unverified).parse_args(list(arguments))
    except SystemExit as exited:
        return USAGE_EXIT_STATUS if exited.code else 0


async def run(options: argparse.Namespace, store: UsersStore, *, program: str, stdin: TextIO) -> int:
    """Does what `options` ask with `store`: prints the outcome and returns 0, or prints why not and returns 1."""
    try:
        message, no_admin_left = await _change(options, store, stdin)
    except (Refused, ValueError, EOFError) as exc:  # EmailRefused and a closed standard input included
        refuse(options, str(exc) or "no password given", program=program)
        return 1
    if no_admin_left:
        print(NO_ADMIN_LEFT, file=sys.stderr)
    print(message)
    return 0


def refuse(options: argparse.Namespace, reason: str, *, program: str) -> None:
    print(f"python -m {program} users {options.action}: {reason}", file=sys.stderr)


async def _change(options: argparse.Namespace, store: UsersStore, stdin: TextIO) -> tuple[str, bool]:
    roles = sorted(set(options.role if options.action == "create" else getattr(options, "roles", [])))
    if (problem := unknown_role_problem(roles)) is not None:
        raise Refused(problem)
    if options.action == "create":
        email = normalised_email(options.email)  # before the password is asked for
        password = read_password(stdin, email=email, full_name=options.full_name)
        scopes = options.scope if options.scope is not None else [] if roles else await store.default_scopes()
        try:
            created = await store.create(
                email,
                password,
                full_name=options.full_name,
                scopes=sorted(set(scopes)),
                roles=roles,
                verified=not getattr(options, "unverified", False),
            )
        except EmailTakenError:
            raise Refused(f"an account with the email {email} already exists") from None
        return (
            f"created {created.email} ({created.id}) with scopes: {' '.join(created.scopes) or '(none)'}; "
            f"roles: {' '.join(created.roles) or '(none)'}"
        ), False
    login = login_email(options.email)
    account = None if login is None else await store.find(login)
    if account is None:
        raise Refused(f"no account has the email {options.email}")
    if options.action == "set-roles":
        return f"{account.email} has the roles: {' '.join(roles) or '(none)'}", await store.set_roles(account, roles)
    if options.action == "deactivate":
        return f"{account.email} is deactivated; its sessions are signed out", await store.deactivate(account)
    await store.set_password(account, read_password(stdin, email=account.email, full_name=account.full_name))
    return f"{account.email} has a new password; its sessions are signed out", False


def read_password(stdin: TextIO, *, email: str, full_name: str) -> str:
    """The password typed twice on a terminal, or the first line piped in; `Refused` for one the password policy
    refuses (for the account of `email` and `full_name`)."""
    if stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise Refused("the two passwords differ")
    else:
        password = stdin.readline().removesuffix("\n").removesuffix("\r")
    if (problem := password_problem(password, email=email, full_name=full_name)) is not None:
        raise Refused(problem)
    return password
