"""What the service's integrations add to its job worker (error reports, metrics, the application cache), each from a
module of its own in the framework's `jobs/worker_parts/` package, there only when the service has the integration.

The worker finds them as it finds the tasks, from no list: at start it imports every module of that package and calls
its `add_to_worker(parts, settings)`, in the modules' name order; each adds to `WorkerParts` what it brings.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from procrastinate.connector import BaseConnector
from procrastinate.middleware import WorkerMiddleware

from .health import MetricsRenderer
from .logs import job_log_context


@dataclass
class WorkerParts:
    connector: BaseConnector
    """The worker's connector to the queue's database (e.g. for the metrics' queue gauges)."""

    middleware: list[WorkerMiddleware] = field(default_factory=lambda: [job_log_context])
    """Around each job, outermost first: the job's log fields (core/jobs/logs.py), then what the parts add."""

    metrics: MetricsRenderer | None = None
    """What the health server's `/metrics` serves; None: it has no `/metrics`."""

    contexts: list[AbstractAsyncContextManager[Any]] = field(default_factory=list)
    """Entered around the job loop, in order, once the queue is open."""

    on_close: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    """Awaited once the worker has stopped, in order."""


def worker_parts(package: str, parts: WorkerParts, settings: object) -> WorkerParts:
    """`parts`, with what every module of `package` (the framework's `jobs.worker_parts`) adds to it."""
    for module in sorted(pkgutil.iter_modules(importlib.import_module(package).__path__), key=lambda found: found.name):
        importlib.import_module(f"{package}.{module.name}").add_to_worker(parts, settings)
    return parts
