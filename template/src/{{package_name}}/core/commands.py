"""`python -m <package> [command] [arguments]`: one table of commands.

`__main__.py` lists the commands; with no command the service serves, as it always has.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .database import Database

# A command takes the arguments after its name and returns the process's exit status.
Command = Callable[[list[str]], int]
USAGE_EXIT_STATUS = 2  # what argparse and most Unix tools return for a usage error


def usage(program: str, commands: Mapping[str, Command]) -> str:
    return f"usage: python -m {program} [{' | '.join(commands)}]"


def run(argv: list[str], commands: Mapping[str, Command], *, program: str, default: str = "serve") -> int:
    """Runs the command `argv` names (`default` when it names none); an unknown one is a usage error."""
    name, arguments = (argv[0], argv[1:]) if argv else (default, [])
    if name in ("-h", "--help", "help"):
        print(usage(program, commands))
        return 0
    command = commands.get(name)
    if command is None:
        print(f"unknown command {name[:40]!r}\n{usage(program, commands)}", file=sys.stderr)
        return USAGE_EXIT_STATUS
    return command(arguments)


def announce_database(database: Database, command: str) -> None:
    """Say on stderr which database `command` is about to use (redacted: `Database.notice`), before it touches it.
    Without it, a command run in a shell without DATABASE_URL quietly used the development SQLite file while the
    service ran on PostgreSQL: an account made there could never sign in. Staging and production refuse the fallback
    before any command gets here (`check_database_url`)."""
    print(f"{command}: {database.notice()}", file=sys.stderr)
