"""`manage.py resource add <plural> [--singular <word>]`: the same as `python -m <package> resource add ...`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...scaffold.command import resource_command


class Command(BaseCommand):
    help = "Add a resource owned by its callers: its app, tests, registration and migration."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("arguments", nargs="+", help="add <plural> [--singular <word>]")

    def run_from_argv(self, argv: list[str]) -> None:
        # Everything after `resource` is the command's own: `--singular` is not one of Django's options.
        status = resource_command(argv[2:], program="manage.py")
        if status:
            raise SystemExit(status)

    def handle(self, *args: Any, **options: Any) -> None:
        status = resource_command(options["arguments"], program="manage.py")
        if status:
            raise CommandError(f"resource exited with {status}")
