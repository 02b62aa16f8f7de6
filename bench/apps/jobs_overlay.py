"""The rendered service (`python -m <package>`, serving) with one part of its write path taken out, to price that
part against the service as it is (bench/jobs.py). Run with the rendered project's interpreter, in the project:

    BENCH_PACKAGE=my_service BENCH_OVERLAY=no-defer python bench/apps/jobs_overlay.py

- `no-defer`: the export route writes its operation but defers no job (the service's `defer` returns at once);
- `no-events`: a write records no event (no `NOTIFY` in its transaction, nothing published after it).

Everything else is the service as rendered: same settings, same server, same process. The harness checks each
overlay took hold (no job row for an export, no notification for a write) before it measures.
"""

from __future__ import annotations

import importlib
import inspect
import os
import runpy
import sys
from collections.abc import Callable
from typing import Any

PACKAGE = os.environ["BENCH_PACKAGE"]
OVERLAYS = {name for name in os.environ.get("BENCH_OVERLAY", "").split(",") if name}


def _without_defer() -> None:
    queue = importlib.import_module(f"{PACKAGE}.jobs.queue")
    if inspect.iscoroutinefunction(queue.defer):

        async def defer(*arguments: Any, **keywords: Any) -> int:
            return 0
    else:

        def defer(*arguments: Any, **keywords: Any) -> int:  # type: ignore[misc]
            return 0

    # The route's module imported the name: replace it there too (FastAPI: items/exports.py, Django:
    # items/export_views.py; before the export moved to its domain, jobs/routes.py and jobs/views.py).
    for module_name in ("jobs.queue", "jobs.routes", "jobs.views", "items.exports", "items.export_views"):
        try:
            module = importlib.import_module(f"{PACKAGE}.{module_name}")
        except ImportError:
            continue
        if hasattr(module, "defer"):
            module.defer = defer


def _without_events() -> None:
    events = importlib.import_module(f"{PACKAGE}.api.events")
    if hasattr(events, "PendingEvents"):  # FastAPI: the request's events, recorded by the shared CRUD

        async def record(self: object, session: object, event: object) -> None:
            return None

        events.PendingEvents.record = record
    else:  # Django: ResourceViewSet records each write's event inside its transaction

        def record_in_transaction(self: object, event: object) -> None:
            return None

        events.EventPublisher.record_in_transaction = record_in_transaction


PATCHES: dict[str, Callable[[], None]] = {"no-defer": _without_defer, "no-events": _without_events}


def apply() -> None:
    for name in sorted(OVERLAYS):
        PATCHES[name]()
    print(f"bench overlay applied: {', '.join(sorted(OVERLAYS)) or 'none'}", file=sys.stderr, flush=True)


def main() -> None:
    unknown = OVERLAYS - set(PATCHES)
    if unknown:
        raise SystemExit(f"unknown overlay {sorted(unknown)}; known: {sorted(PATCHES)}")
    server = importlib.import_module(f"{PACKAGE}.server")
    configured = getattr(server, "configured_application", None)
    if configured is not None:
        # Django: the views and the publisher import only once Django is set up, inside the server's own start.
        def configured_application() -> Any:
            settings_and_app = configured()
            apply()
            return settings_and_app

        server.configured_application = configured_application
    else:
        apply()
    sys.argv = [PACKAGE]
    runpy.run_module(PACKAGE, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
