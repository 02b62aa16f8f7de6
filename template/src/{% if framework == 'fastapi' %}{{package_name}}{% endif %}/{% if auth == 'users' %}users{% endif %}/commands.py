"""`python -m <package> users create EMAIL [--scope S ...] [--role R ...] [--admin] [--full-name NAME]`, `users
set-password EMAIL`, `users deactivate EMAIL`, `users set-roles EMAIL [ROLE ...]`: manage accounts from a shell (the
first admin, a forgotten password, a leaver, a promotion).

Roles are core/accounts/roles.py's; `--admin` is `--role admin`. Without `--scope`, an account made with no role
holds every scope the routes declare but the admin ones; one made with a role holds no scope of its own (its roles
say what it may do). `set-roles` replaces the account's roles (none when no ROLE is named): its next tokens carry
them, and a refresh drops what it no longer holds.

A password is read from standard input: typed without echo on a terminal (twice, to catch a typo), else the first
line of the input (`printf '%s\\n' "$PASSWORD" | python -m <package> users create ...`). Never an argument: those
end up in shell history and in `ps`. Setting a password or deactivating signs the user out everywhere.

EMAIL follows the users API's rule (core/accounts/emails.py): `create` refuses what the API refuses and stores what
it stores. Unlike the API, `deactivate` may disable the last active account holding users:admin (it warns): the
command line is how an operator recovers, or stops a stolen admin account at once.

Exit status: 0 done; 1 refused (no such user, email taken, password too short, database unavailable); 2 usage.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncEngine

from ..config import ConfigurationError, Settings, load_settings
from ..core.accounts.admins import NO_ADMIN_LEFT
from ..core.accounts.emails import login_email, normalised_email
from ..core.accounts.keys import SigningKeys
from ..core.accounts.passwords import password_problem
from ..core.accounts.roles import ADMIN_ROLE, holds, unknown_role_problem
from ..core.accounts.tokens import AccessTokenIssuer
from ..core.commands import USAGE_EXIT_STATUS
from ..core.revoked_tokens import RevokedTokens
from ..core.settings import report_configuration_error
from ..database import DatabaseUnavailableError, create_engine, create_sessions, session_transaction
from ..revocations.store import SqlRevokedTokenStore
from ..route_guards import admin_scopes
from . import store
from .accounts import Accounts
from .passwords import Passwords
from .scopes import USERS_ADMIN


class Refused(Exception):  # noqa: N818 - reads as what happened
    """The command cannot do what was asked; the message says why (it never contains a password)."""


def _parser(program: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m {program} users", description="Manage the service's accounts.")
    actions = parser.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create an account (password on standard input)")
    create.add_argument("email")
    create.add_argument("--scope", action="append", default=None, help="a scope it holds (repeat); default: all")
    create.add_argument("--role", action="append", default=[], help="a role it has (repeat; core/accounts/roles.py)")
    create.add_argument(
        "--admin",
        action="append_const",
        dest="role",
        const=ADMIN_ROLE,
        help=f"--role {ADMIN_ROLE}: manages every account ({USERS_ADMIN}), acts on everyone's records",
    )
    create.add_argument("--full-name", default="")
    actions.add_parser("set-password", help="give an account a new password (signs it out)").add_argument("email")
    actions.add_parser("deactivate", help="disable an account (signs it out)").add_argument("email")
    set_roles = actions.add_parser("set-roles", help="replace an account's roles (none when no ROLE is named)")
    set_roles.add_argument("email")
    set_roles.add_argument("roles", nargs="*", metavar="ROLE")
    return parser


def users_command(arguments: list[str], *, program: str) -> int:
    parser = _parser(program)
    try:
        options = parser.parse_args(arguments)
    except SystemExit as exit_:
        return USAGE_EXIT_STATUS if exit_.code else 0
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        return report_configuration_error(exc)
    try:
        email = normalised_email(options.email) if options.action == "create" else login_email(options.email)
        if email is None:
            raise Refused(f"no account has the email {options.email}")
        problem = unknown_role_problem(_roles(options))
        if problem is not None:
            raise Refused(problem)
        message = asyncio.run(_run(settings, options, email))
    except (Refused, ValueError) as exc:
        print(f"{parser.prog} {options.action}: {exc}", file=sys.stderr)
        return 1
    except DatabaseUnavailableError:
        print(f"{parser.prog} {options.action}: the database (DATABASE_URL) is unavailable", file=sys.stderr)
        return 1
    print(message)
    return 0


def _roles(options: argparse.Namespace) -> list[str]:
    """The roles `create --role` or `set-roles` names, each once."""
    return sorted(set(options.role if options.action == "create" else getattr(options, "roles", [])))


def declared_scopes() -> frozenset[str]:
    """Every scope the service's routes declare."""
    from ..app import api_scopes  # noqa: PLC0415 - the routes (and FastAPI) only when they are asked for

    return api_scopes()


def default_scopes() -> frozenset[str]:
    """Every scope the service's routes declare but the admin ones (`users:admin`, `items:admin`...): what a new
    account holds without --scope."""
    return declared_scopes() - admin_scopes(declared_scopes())


async def _run(settings: Settings, options: argparse.Namespace, email: str) -> str:
    if settings.effective_migrate_on_start:  # development and test: the tables exist before the first account
        from ..migrate import migrate  # noqa: PLC0415

        await asyncio.to_thread(migrate, settings)
    engine = create_engine(settings)
    try:
        accounts = _accounts(settings, engine)
        if options.action == "create":
            roles = _roles(options)
            scopes = options.scope if options.scope is not None else [] if roles else default_scopes()
            return await _create(accounts, email, set(scopes), roles, options)
        return await _change(accounts, options, email)
    finally:
        await engine.dispose()


async def _change(accounts: Accounts, options: argparse.Namespace, email: str) -> str:
    """`set-password`, `deactivate` or `set-roles` of the account with `email`."""
    async with session_transaction(accounts.sessions) as session:
        row = await store.user_row(session, email=email)
        if row is None:
            raise Refused(f"no account has the email {email}")
        roles = _roles(options)
        no_admin_left = False
        if options.action == "deactivate" or (
            options.action == "set-roles" and not holds(row.scopes, roles, USERS_ADMIN)
        ):
            try:
                await store.refuse_removing_last_admin(session, row.id)
            except store.LastAdminError:
                no_admin_left = True  # allowed here, unlike the API
        # A change of roles signs nobody out: its tokens keep their scopes until they expire, and a refresh drops
        # what it no longer holds. A new password or a deactivation ends the sessions in the change's transaction.
        ended: list[tuple[str, int]] = []
        if options.action == "set-roles":
            await store.update_user(session, row.id, {"roles": roles})
        else:
            changes: dict[str, object]
            if options.action == "set-password":
                changes = {"password_hash": await accounts.passwords.hash(_read_password())}
            else:
                changes = {"is_active": False}
            await store.update_user(session, row.id, changes)
            ended = await accounts.sign_out_everywhere(session, row.id)  # with the change: both commit, or neither
    await accounts.revoke_access_tokens(ended)
    if no_admin_left:
        print(NO_ADMIN_LEFT, file=sys.stderr)
    if options.action == "set-roles":
        return f"{email} has the roles: {' '.join(roles) or '(none)'}"
    done = "has a new password" if options.action == "set-password" else "is deactivated"
    return f"{email} {done}; its sessions are signed out"


async def _create(
    accounts: Accounts, email: str, scopes: set[str], roles: list[str], options: argparse.Namespace
) -> str:
    password_hash = await accounts.passwords.hash(_read_password())
    try:
        async with session_transaction(accounts.sessions) as session:
            user = await store.create_user(
                session,
                email=email,
                password_hash=password_hash,
                full_name=options.full_name,
                scopes=sorted(scopes),
                roles=roles,
                is_active=True,
            )
    except store.DuplicateEmailError:
        raise Refused(f"an account with the email {email} already exists") from None
    return (
        f"created {user.email} ({user.id}) with scopes: {' '.join(user.scopes) or '(none)'}; "
        f"roles: {' '.join(user.roles) or '(none)'}"
    )


def _accounts(settings: Settings, engine: AsyncEngine) -> Accounts:
    sessions = create_sessions(engine)
    keys = SigningKeys.from_settings(settings)
    return Accounts(
        sessions=sessions,
        issuer=AccessTokenIssuer(keys, settings.auth_issuer, settings.auth_audience, settings.auth_access_token_ttl),
        revoked=RevokedTokens(SqlRevokedTokenStore(sessions), leeway_s=settings.auth_leeway),
        passwords=Passwords.for_environment(settings.environment),
        refresh_ttl_s=settings.auth_refresh_token_ttl,
    )


def _read_password(prompts: Sequence[str] = ("Password: ", "Again: ")) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(prompts[0])
        if getpass.getpass(prompts[1]) != first:
            raise Refused("the two passwords differ")
        password = first
    else:
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    problem = password_problem(password)
    if problem is not None:
        raise Refused(problem)
    return password
