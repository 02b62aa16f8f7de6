"""`python -m <package> users ...`: manage accounts from a shell, without the API (the first user, say).

    users create EMAIL [--scope S ...] [--role R ...] [--admin] [--unverified]   a new user; the password from stdin
    users set-password EMAIL         a new password (standard input); the user's sessions are revoked
    users deactivate EMAIL           the user can no longer sign in; their tokens are revoked
    users set-roles EMAIL [ROLE ...]  replace the user's roles (none when no ROLE is named)

A password is read from standard input: typed twice without echo on a terminal, else the first line of what is
piped in (`printf '%s\\n' "$PASSWORD" | ...`). It never appears on the command line (shell history, `ps`), in a
log or in an error message. Roles are roles.py's. Without `--scope` a user made with no role holds every
scope the service's views declare but the admin scopes (`users:admin`, `items:admin`: acting on every account and
every owner's records); one made with a role holds no scope of its own (its roles say what it may do). `--admin` is
`--role admin`: every scope, and the Django admin (/admin/) as well. Django's `manage.py createsuperuser` works as
well (the admin role too). `set-roles` signs nobody out: the user's next tokens carry the new roles, and a refresh
drops what it no longer holds.

EMAIL follows the users API's rule (core/accounts/emails.py): `create` refuses what the API refuses and stores what
it stores. Unlike the API, `deactivate` may disable the last active account holding users:admin (it warns): the
command line is how an operator recovers, or stops a stolen admin account at once.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from ..core.accounts.roles import ADMIN_ROLE, unknown_role_problem
from .scopes import ADMIN_SCOPE

if TYPE_CHECKING:
    from .models import User

EXIT_USAGE = 2


def parser(program: str) -> argparse.ArgumentParser:
    commands = argparse.ArgumentParser(prog=f"python -m {program} users", description="Manage the service's users.")
    actions = commands.add_subparsers(
        dest="action", required=True, metavar="{create,set-password,deactivate,set-roles}"
    )
    create = actions.add_parser("create", help="create a user (password on standard input)")
    create.add_argument("email")
    create.add_argument(
        "--scope", action="append", default=None, metavar="SCOPE", help="a scope it holds (repeat); default: all"
    )
    create.add_argument("--full-name", default="", help="the user's name")
    create.add_argument("--role", action="append", default=[], metavar="ROLE", help="a role it has (repeat; roles.py)")
    create.add_argument(
        "--admin",
        action="append_const",
        dest="role",
        const=ADMIN_ROLE,
        help=f"--role {ADMIN_ROLE}: every scope ({ADMIN_SCOPE}, ...), and signs in to /admin/",
    )
    create.add_argument(
        "--unverified", action="store_true", help="its email is not verified: it cannot sign in until it is"
    )
    actions.add_parser("set-password", help="set a user's password (standard input)").add_argument("email")
    actions.add_parser("deactivate", help="deactivate a user and revoke their tokens").add_argument("email")
    set_roles = actions.add_parser("set-roles", help="replace a user's roles (none when no ROLE is named)")
    set_roles.add_argument("email")
    set_roles.add_argument("roles", nargs="*", metavar="ROLE")
    return commands


def default_scopes() -> frozenset[str]:
    """Every scope the service's views declare but the admin scopes: what a new account holds without --scope."""
    from ..api.scopes import declared_scopes, is_admin_scope  # noqa: PLC0415 - imports the views

    return frozenset(scope for scope in declared_scopes() if not is_admin_scope(scope))


def read_password(stdin: TextIO, *, confirm: bool = True) -> str:
    """The password from a terminal (no echo, typed twice) or the first line piped in."""
    if stdin.isatty():
        password = getpass.getpass("Password: ")
        if confirm and getpass.getpass("Password (again): ") != password:
            raise ValueError("the two passwords differ")
        return password
    return stdin.readline().removesuffix("\n").removesuffix("\r")


def users_command(arguments: Sequence[str], *, program: str, stdin: TextIO | None = None) -> int:
    try:
        options = parser(program).parse_args(list(arguments))
    except SystemExit as exited:  # argparse printed the help (0) or what is wrong with the arguments
        return EXIT_USAGE if exited.code else 0
    from ..config import service_settings  # noqa: PLC0415 - the settings module exits on invalid settings
    from ..core.commands import announce_database  # noqa: PLC0415
    from ..core.logs import configure_logging  # noqa: PLC0415

    settings = service_settings()
    announce_database(settings.database, "users")
    configure_logging(settings)
    import django  # noqa: PLC0415 - configured by service_settings

    django.setup(set_prefix=False)
    from django.db import DatabaseError  # noqa: PLC0415

    try:
        return run(options, stdin or sys.stdin)
    except DatabaseError as exc:
        print(f"users: the database did not answer ({type(exc).__name__}); did `migrate` run?", file=sys.stderr)
        return 1


def run(options: argparse.Namespace, stdin: TextIO) -> int:  # noqa: PLR0911 - one exit status per outcome
    from ..core.accounts.audit import COMMAND_LINE  # noqa: PLC0415
    from ..core.accounts.emails import EmailRefused, login_email, normalised_email  # noqa: PLC0415
    from . import accounts  # noqa: PLC0415 - needs Django set up
    from .models import User  # noqa: PLC0415

    roles = sorted(set(options.role if options.action == "create" else getattr(options, "roles", [])))
    problem = unknown_role_problem(roles)
    if problem is not None:
        print(f"users: {problem}", file=sys.stderr)
        return 1
    user = None
    if options.action == "create":
        try:
            normalised_email(options.email)  # before the password is asked for
        except EmailRefused as refused:
            print(f"users: {options.email!a} {refused}", file=sys.stderr)
            return 1
    else:
        email = login_email(options.email)
        user = None if email is None else User.objects.filter(email=email).first()
        if user is None:
            print(f"users: no user has the email {options.email}", file=sys.stderr)
            return 1
    if options.action in ("deactivate", "set-roles"):
        assert user is not None  # noqa: S101 - looked up above
        return _change(options.action, user, roles)
    try:
        password = read_password(stdin)
    except (ValueError, EOFError) as exc:
        print(f"users: {exc or 'no password given'}", file=sys.stderr)
        return 1
    try:
        if user is not None:
            accounts.change_password(user, password, origin=COMMAND_LINE, actor=None)
            print(f"password of {user.email} changed; their sessions are revoked")
            return 0
        scopes = options.scope if options.scope is not None else [] if roles else default_scopes()
        created = accounts.create_user(
            options.email,
            password,
            full_name=options.full_name,
            scopes=scopes,
            roles=roles,
            is_verified=not options.unverified,
            origin=COMMAND_LINE,
            actor=None,
        )
        if ADMIN_ROLE in roles:
            created.is_staff = created.is_superuser = True
            created.save(update_fields=["is_staff", "is_superuser"])
    except accounts.PasswordRefused as refused:
        print(f"users: password refused: {' '.join(refused.messages)}", file=sys.stderr)
        return 1
    except accounts.EmailTaken:
        print(f"users: a user with the email {options.email} exists", file=sys.stderr)
        return 1
    print(
        f"{created.email} created (id {created.pk}), scopes: {' '.join(sorted(created.scopes)) or '(none)'}; "
        f"roles: {' '.join(created.roles) or '(none)'}"
    )
    return 0


def _change(action: str, user: User, roles: list[str]) -> int:
    """`deactivate` or `set-roles`: both may leave no active admin (the command line's recovery), and warn."""
    from ..core.accounts.admins import NO_ADMIN_LEFT  # noqa: PLC0415
    from ..core.accounts.audit import COMMAND_LINE  # noqa: PLC0415
    from . import accounts  # noqa: PLC0415 - needs Django set up

    if action == "deactivate":
        no_admin_left = accounts.deactivate(user, keep_an_admin=False, origin=COMMAND_LINE, actor=None)
        done = "deactivated; their tokens are revoked"
    else:
        no_admin_left = accounts.set_roles(user, roles, origin=COMMAND_LINE, actor=None)
        done = f"has the roles: {' '.join(roles) or '(none)'}"
    if no_admin_left:
        print(NO_ADMIN_LEFT, file=sys.stderr)
    print(f"{user.email} {done}")
    return 0
