"""`python -m <package> users ...`: manage accounts from a shell, without the API (the first user, say).

    users create EMAIL [--scope S ...] [--admin] [--unverified]   a new user; the password comes from standard input
    users set-password EMAIL                       a new password (standard input); the user's sessions are revoked
    users deactivate EMAIL                         the user can no longer sign in; their tokens are revoked

A password is read from standard input: typed twice without echo on a terminal, else the first line of what is
piped in (`printf '%s\\n' "$PASSWORD" | ...`). It never appears on the command line (shell history, `ps`), in a
log or in an error message. Without `--scope` the user holds every scope the service's views declare but the admin
scopes (`users:admin`, `items:admin`: acting on every account and every owner's records), which `--admin` adds (with
the Django admin, /admin/). Django's `manage.py createsuperuser` works
as well.

EMAIL follows the users API's rule (core/accounts/emails.py): `create` refuses what the API refuses and stores what
it stores. Unlike the API, `deactivate` may disable the last active account holding users:admin (it warns): the
command line is how an operator recovers, or stops a stolen admin account at once.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from typing import TextIO

from .scopes import ADMIN_SCOPE

EXIT_USAGE = 2


def parser(program: str) -> argparse.ArgumentParser:
    commands = argparse.ArgumentParser(prog=f"python -m {program} users", description="Manage the service's users.")
    actions = commands.add_subparsers(dest="action", required=True, metavar="{create,set-password,deactivate}")
    create = actions.add_parser("create", help="create a user (password on standard input)")
    create.add_argument("email")
    create.add_argument(
        "--scope", action="append", default=None, metavar="SCOPE", help="a scope it holds (repeat); default: all"
    )
    create.add_argument("--full-name", default="", help="the user's name")
    create.add_argument(
        "--admin", action="store_true", help=f"holds every admin scope ({ADMIN_SCOPE}, ...), and signs in to /admin/"
    )
    create.add_argument(
        "--unverified", action="store_true", help="its email is not verified: it cannot sign in until it is"
    )
    actions.add_parser("set-password", help="set a user's password (standard input)").add_argument("email")
    actions.add_parser("deactivate", help="deactivate a user and revoke their tokens").add_argument("email")
    return commands


def default_scopes() -> frozenset[str]:
    """Every scope the service's views declare but the admin scopes: what a new account holds without --scope."""
    from ..api.scopes import declared_scopes, is_admin_scope  # noqa: PLC0415 - imports the views

    return frozenset(scope for scope in declared_scopes() if not is_admin_scope(scope))


def admin_scopes() -> frozenset[str]:
    """Every admin scope the service's views declare (and users:admin): what `--admin` adds."""
    from ..api.scopes import declared_scopes, is_admin_scope  # noqa: PLC0415 - imports the views

    return frozenset({ADMIN_SCOPE, *(scope for scope in declared_scopes() if is_admin_scope(scope))})


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
    from ..core.logs import configure_logging  # noqa: PLC0415
    from ..server import service_settings  # noqa: PLC0415 - the settings module exits on invalid settings

    configure_logging(service_settings())
    import django  # noqa: PLC0415 - configured by service_settings

    django.setup(set_prefix=False)
    from django.db import DatabaseError  # noqa: PLC0415

    try:
        return run(options, stdin or sys.stdin)
    except DatabaseError as exc:
        print(f"users: the database did not answer ({type(exc).__name__}); did `migrate` run?", file=sys.stderr)
        return 1


def run(options: argparse.Namespace, stdin: TextIO) -> int:  # noqa: PLR0911 - one exit status per outcome
    from ..core.accounts.admins import NO_ADMIN_LEFT  # noqa: PLC0415
    from ..core.accounts.audit import COMMAND_LINE  # noqa: PLC0415
    from ..core.accounts.emails import EmailRefused, login_email, normalised_email  # noqa: PLC0415
    from . import accounts  # noqa: PLC0415 - needs Django set up
    from .models import User  # noqa: PLC0415

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
    if options.action == "deactivate":
        assert user is not None  # noqa: S101 - looked up above
        if accounts.deactivate(user, keep_an_admin=False, origin=COMMAND_LINE, actor=None):
            print(NO_ADMIN_LEFT, file=sys.stderr)
        print(f"{user.email} deactivated; their tokens are revoked")
        return 0
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
        scopes = set(options.scope if options.scope is not None else default_scopes())
        if options.admin:
            scopes |= admin_scopes()
        created = accounts.create_user(
            options.email,
            password,
            full_name=options.full_name,
            scopes=scopes,
            is_verified=not options.unverified,
            origin=COMMAND_LINE,
            actor=None,
        )
        if options.admin:
            created.is_staff = created.is_superuser = True
            created.save(update_fields=["is_staff", "is_superuser"])
    except accounts.PasswordRefused as refused:
        print(f"users: password refused: {' '.join(refused.messages)}", file=sys.stderr)
        return 1
    except accounts.EmailTaken:
        print(f"users: a user with the email {options.email} exists", file=sys.stderr)
        return 1
    print(f"{created.email} created (id {created.pk}), scopes: {' '.join(sorted(created.scopes)) or '(none)'}")
    return 0
