"""`python -m <package> [command] [arguments]`: one table of commands.

`__main__.py` lists the commands; with no command the service serves, as it always has.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping

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
