"""Tracing (core/tracing.py): each job a span in the trace of the request that deferred it (core/jobs/logs.py), and
its statements spans inside it."""

from __future__ import annotations

from ...config import Settings
from ...core.jobs.parts import WorkerParts
from ...core.tracing import configure_tracing
from ...integrations.tracing_framework import trace_statements
from ..queue import JobDatabase


def add_to_worker(parts: WorkerParts, settings: Settings) -> None:
    del parts  # the job's span is the log context's (core/jobs/logs.py), the first middleware of every worker
    provider = configure_tracing(settings)
    if provider is not None and JobDatabase.engine is not None:
        trace_statements(JobDatabase.engine, provider)
