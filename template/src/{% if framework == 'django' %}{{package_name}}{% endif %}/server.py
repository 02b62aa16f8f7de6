"""The process entry point: settings, logging, Django, migrations, then uvicorn as `core/server.py` configures it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .app import ServiceApp, create_app
from .core.logs import configure_logging
from .core.server import report_configuration_error, serve
from .settings import ConfigurationError, Settings, load_settings


def migrate() -> None:
    """Apply the migrations (development and test do it at start; production runs `manage.py migrate`)."""
    from django.core.management import call_command  # noqa: PLC0415 - needs Django configured first

    call_command("migrate", interactive=False, verbosity=0)


def migrate_in_turn(settings: Settings) -> None:
    """`migrate()` for worker processes started together: one applies the migrations while the others wait on a
    lock file next to the database, then find nothing left to do (two at once would both create the tables)."""
    import fcntl  # noqa: PLC0415 - POSIX only, like `uvicorn --workers` deployments; `python -m` never needs it

    from django.db import connections  # noqa: PLC0415 - needs Django configured first

    database = Path(settings.database_path)
    with database.with_name(f"{database.name}-migrate-lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        try:
            migrate()
        finally:
            connections.close_all()  # this thread's connection; requests open their own


def app_from_environment() -> ServiceApp:
    """The app for `uvicorn --factory <package>.server:app_from_environment`, e.g. with `--workers N`.

    `python -m <package>` (one process) is the usual entry point; use this one for several worker processes, with
    the options `core/server.py` sets itself: `--http <package>.core.server:BoundedHttpToolsProtocol
    --no-server-header --no-access-log --proxy-headers --forwarded-allow-ips "$FORWARDED_ALLOW_IPS"
    --timeout-graceful-shutdown "$GRACEFUL_TIMEOUT"`.
    """
    settings = load_settings()
    configure_logging(settings)
    app = create_app(settings)
    if settings.effective_migrate_on_start:
        # uvicorn calls the factory inside its event loop, where Django refuses database work: use a thread.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(migrate_in_turn, settings).result()
    return app


def main() -> int:
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        return report_configuration_error(exc)
    configure_logging(settings)
    app = create_app(settings)
    if settings.effective_migrate_on_start:
        migrate()
    return serve(app, app.service.state, settings)
