"""`python -m <package> [serve]`: validate settings, configure logging, serve with uvicorn (core/commands.py)."""

import sys

from .core.commands import run
from .server import main


def serve(arguments: list[str]) -> int:
    if arguments:
        print(f"serve takes no arguments (got {len(arguments)}); settings come from the environment", file=sys.stderr)
        return 2
    return main()


raise SystemExit(run(sys.argv[1:], {"serve": serve}, program=__package__ or "service"))
