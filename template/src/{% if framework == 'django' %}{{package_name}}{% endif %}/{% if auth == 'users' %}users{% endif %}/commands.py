"""`python -m <package> users ...` (core/accounts/users_command.py says what each does) on the ORM: accounts.py's
changes, each in one transaction with its audit events. `--admin` (the admin role) also signs in to the Django admin
(/admin/); Django's `manage.py createsuperuser` works as well."""

from __future__ import annotations

import sys
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, TextIO

from ..core.accounts.roles import ADMIN_ROLE
from ..core.accounts.users_command import AccountName, EmailTakenError, parse, refuse, run
from ..core.flows import run_unsuspended

if TYPE_CHECKING:
    from .models import User


def users_command(arguments: Sequence[str], *, program: str, stdin: TextIO | None = None) -> int:
    options = parse(arguments, program)
    if isinstance(options, int):
        return options
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
        return run_unsuspended(run(options, _Users(), program=program, stdin=stdin or sys.stdin))
    except DatabaseError as exc:
        refuse(options, f"the database did not answer ({type(exc).__name__}); did `migrate` run?", program=program)
        return 1


def default_scopes() -> frozenset[str]:
    """Every scope the service's views declare but the admin scopes: what a new account holds without --scope."""
    from ..api.scopes import declared_scopes, is_admin_scope  # noqa: PLC0415 - imports the views

    return frozenset(scope for scope in declared_scopes() if not is_admin_scope(scope))


class _Users:
    """core/accounts/users_command.py's `UsersStore` on accounts.py (synchronous: core/flows.py's `run_unsuspended`
    runs the command)."""

    async def default_scopes(self) -> Collection[str]:
        return default_scopes()

    async def find(self, email: str) -> AccountName | None:
        from .models import User  # noqa: PLC0415 - needs Django set up

        user = User.objects.filter(email=email).first()
        return None if user is None else _name(user)

    async def create(
        self, email: str, password: str, *, full_name: str, scopes: Sequence[str], roles: Sequence[str], verified: bool
    ) -> AccountName:
        from ..core.accounts.audit import COMMAND_LINE  # noqa: PLC0415
        from . import accounts  # noqa: PLC0415 - needs Django set up

        try:
            created = accounts.create_user(
                email,
                password,
                full_name=full_name,
                scopes=scopes,
                roles=roles,
                is_verified=verified,
                origin=COMMAND_LINE,
                actor=None,
            )
        except accounts.EmailTaken:
            raise EmailTakenError(email) from None
        if ADMIN_ROLE in roles:
            created.is_staff = created.is_superuser = True
            created.save(update_fields=["is_staff", "is_superuser"])
        return _name(created)

    async def set_password(self, account: AccountName, password: str) -> None:
        from ..core.accounts.audit import COMMAND_LINE  # noqa: PLC0415
        from . import accounts  # noqa: PLC0415 - needs Django set up
        from .models import User  # noqa: PLC0415

        accounts.change_password(User.objects.get(pk=account.id), password, origin=COMMAND_LINE, actor=None)

    async def deactivate(self, account: AccountName) -> bool:
        from ..core.accounts.audit import COMMAND_LINE  # noqa: PLC0415
        from . import accounts  # noqa: PLC0415 - needs Django set up
        from .models import User  # noqa: PLC0415

        user = User.objects.get(pk=account.id)
        return accounts.deactivate(user, keep_an_admin=False, origin=COMMAND_LINE, actor=None)

    async def set_roles(self, account: AccountName, roles: Sequence[str]) -> bool:
        from ..core.accounts.audit import COMMAND_LINE  # noqa: PLC0415
        from . import accounts  # noqa: PLC0415 - needs Django set up
        from .models import User  # noqa: PLC0415

        return accounts.set_roles(User.objects.get(pk=account.id), roles, origin=COMMAND_LINE, actor=None)


def _name(user: User) -> AccountName:
    return AccountName(user.pk, user.email, user.full_name, sorted(user.scopes), list(user.roles))
