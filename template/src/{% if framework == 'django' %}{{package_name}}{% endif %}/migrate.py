"""`python -m <package> migrate` (and `manage.py migrate`, which works too): apply every migration, then exit. A
deploy step (compose's `migrate` service, Kubernetes' init container); development and test also run it when the
service starts (`MIGRATE_ON_START`)."""

from __future__ import annotations

import sys

from .config import Settings
from .core.commands import announce_database
from .core.database import MIGRATION_LOCK_KEY, migrate_status, sqlite_migration_turn
from .core.logs import configure_logging
from .database_settings import DIRECT


def migrate(settings: Settings) -> None:
    """Apply the migrations. Safe to run twice at once: PostgreSQL takes turns on an advisory lock, SQLite on a lock
    file beside the database file; the second finds nothing left to do."""
    from django.core.management import call_command  # noqa: PLC0415 - needs Django configured first
    from django.db import DEFAULT_DB_ALIAS, connections  # noqa: PLC0415 - needs Django configured first

    database = settings.database
    # Past any pooler (DATABASE_DIRECT_URL, database_settings.py): the advisory lock is a session's.
    alias = DEFAULT_DB_ALIAS if settings.database_direct_url is None else DIRECT
    connection = connections[alias]
    try:
        if database.sqlite_path is None:
            # A session lock on the connection `migrate` itself uses, released below or when it closes.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_KEY])
            try:
                call_command("migrate", interactive=False, verbosity=0, database=alias)
            finally:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_KEY])
            return
        with sqlite_migration_turn(database.sqlite_path):
            call_command("migrate", interactive=False, verbosity=0)
    finally:
        connections.close_all()  # this thread's connection; requests open their own


def migrate_command(arguments: list[str]) -> int:
    """The `migrate` command: exit 0 once every migration is applied, 1 (one line, no traceback) when the database
    does not answer, or when a migration needs a decision first (`MigrationRefused`: its message)."""
    if arguments:
        print("migrate takes no arguments; the database is DATABASE_URL", file=sys.stderr)
        return 2
    from .config import service_settings  # noqa: PLC0415 - the settings module exits on invalid settings

    settings = service_settings()
    announce_database(settings.direct_database, "migrate")
    configure_logging(settings)
    import django  # noqa: PLC0415 - configured by service_settings
    from django.db import DatabaseError  # noqa: PLC0415

    django.setup(set_prefix=False)
    return migrate_status(lambda: migrate(settings), unreachable=(DatabaseError,))
