"""`manage.py runserver [addr:port]`: the development server, serving `asgi.application` with uvicorn and
auto-reload, so that it answers exactly as production does (the whole middleware stack, problem+json, lifespan).

Django's own runserver is WSGI and would bypass the pure ASGI layers; this command replaces it (and staticfiles'),
because this app comes first in INSTALLED_APPS. The address defaults to HOST and PORT from the settings.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Final

import uvicorn
from django.conf import settings as django_settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...config import Settings
from ...core.server import server_options

PACKAGE: Final = __name__.split(".", maxsplit=1)[0]
PACKAGE_DIR: Final = Path(__file__).resolve().parents[2]
ADDRPORT: Final = re.compile(r"^(?:(?P<addr>\[[0-9a-fA-F:]+\]|[0-9a-zA-Z.-]+):)?(?P<port>[0-9]{1,5})$")


def parse_addrport(addrport: str | None, settings: Settings) -> tuple[str, int]:
    """`8001`, `0.0.0.0:8001` or `[::1]:8001` (Django's forms); nothing: HOST and PORT."""
    if not addrport:
        return settings.host, settings.port
    match = ADDRPORT.match(addrport)
    if match is None or not 0 < int(match["port"]) < 65536:
        raise CommandError(f'"{addrport}" is not a valid port number or address:port pair.')
    host = (match["addr"] or settings.host).strip("[]")
    return host, int(match["port"])


class Command(BaseCommand):
    help = "Serves the ASGI application with uvicorn for development, restarting when a source file changes."
    # Django's default (`"__all__"`): a failing check (a view without scopes) stops the command before it serves.

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", help="Optional port number, or ipaddr:port")
        parser.add_argument(
            "--noreload", action="store_false", dest="use_reloader", help="Do not restart when files change."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        settings: Settings = django_settings.SERVICE_SETTINGS
        host, port = parse_addrport(options["addrport"], settings)
        self.stdout.write(f"Serving {PACKAGE}.asgi:application at http://{host}:{port}/ (Ctrl-C to stop)")
        uvicorn.run(
            # A factory by import path: the reloading worker process builds the app itself, logging configured.
            f"{PACKAGE}.server:app_from_environment",
            factory=True,
            reload=options["use_reloader"],
            reload_dirs=[str(PACKAGE_DIR)],
            **(server_options(settings) | {"host": host, "port": port}),
        )
