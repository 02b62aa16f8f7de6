"""`python -m <package> [serve | migrate]` (core/commands.py): serve with uvicorn, or apply the migrations."""

import sys

from .core.commands import run
from .migrate import migrate_command
from .server import main


def serve(arguments: list[str]) -> int:
    if arguments:
        print(f"serve takes no arguments (got {len(arguments)}); settings come from the environment", file=sys.stderr)
        return 2
    return main()


raise SystemExit(run(sys.argv[1:], {"serve": serve, "migrate": migrate_command}, program=__package__ or "service"))
