"""`python -m <package> migrate`: apply every migration, then exit. A deploy step (compose's `migrate` service,
Kubernetes' init container); development and test also run it when the service starts (`MIGRATE_ON_START`)."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.operations.ops import MigrationScript
from sqlalchemy.exc import SQLAlchemyError

from .config import ConfigurationError, Settings, load_settings
from .core.commands import announce_database
from .core.database import migrate_status, sqlite_migration_turn
from .core.logs import configure_logging
from .core.settings import report_configuration_error

MIGRATIONS = f"{__package__}:migrations"
VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"
_NUMBERED = re.compile(r"(\d{4})_")
# The id Alembic makes up for a revision given no `--rev-id` (`uuid4().hex[-12:]`).
_MADE_UP_ID = re.compile(r"[0-9a-f]{12}")


def next_revision(versions: Path = VERSIONS) -> str:
    """The next free four-digit revision id: one more than the highest number a revision's file name starts with.
    `alembic revision --autogenerate` names a new revision with it (migrations/env.py), as `resource add` does."""
    numbers = [int(match.group(1)) for path in versions.glob("*.py") if (match := _NUMBERED.match(path.name))]
    return f"{max(numbers, default=0) + 1:04d}"


def number_revision(context: object, revision: object, directives: Iterable[object], versions: Path = VERSIONS) -> None:
    """migrations/env.py's `process_revision_directives`: `alembic revision --autogenerate` numbers a new revision
    after the newest (0008 after 0007), as the shipped ones are, instead of Alembic's random id, unless given
    `--rev-id`. Revisions then read in order, and nobody has to look the number up."""
    for directive in directives:
        if isinstance(directive, MigrationScript) and _MADE_UP_ID.fullmatch(directive.rev_id or ""):
            directive.rev_id = next_revision(versions)


def alembic_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["settings"] = settings  # read by migrations/env.py instead of the environment
    return config


def migrate(settings: Settings) -> None:
    """Upgrade to the newest revision. Safe to run twice at once: PostgreSQL takes turns on an advisory lock
    (migrations/env.py); SQLite on a lock file beside the database file."""
    # Alembic names each plugin it loads at INFO, seven lines per run that say nothing about the database: the
    # revisions it applies stay at INFO.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    database = settings.database
    if database.sqlite_path is None:
        command.upgrade(alembic_config(settings), "head")
        return
    with sqlite_migration_turn(database.sqlite_path):
        command.upgrade(alembic_config(settings), "head")


def migrate_command(arguments: list[str]) -> int:
    """The `migrate` command: exit 0 once every migration is applied, 1 (one line, no traceback) when the database
    does not answer, or when a migration needs a decision first (`MigrationRefused`: its message)."""
    if arguments:
        print("migrate takes no arguments; the database is DATABASE_URL", file=sys.stderr)
        return 2
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        return report_configuration_error(exc)
    announce_database(settings.direct_database, "migrate")
    configure_logging(settings)
    return migrate_status(lambda: migrate(settings), unreachable=(SQLAlchemyError, OSError, TimeoutError))
