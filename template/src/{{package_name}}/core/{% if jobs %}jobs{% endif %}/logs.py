"""Every log line a job writes carries `job_id`, `task` and the `request_id` of the request that deferred it, and
with tracing on, the job runs in a span of that request's trace (core/trace_context.py).

The request id and the trace context travel in the job's arguments under `REQUEST_ID_ARGUMENT` and
`TRACE_CONTEXT_ARGUMENT` (`deferred_arguments` adds them); the worker middleware `job_log_context` takes them out
before the task is called, so tasks never declare them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Final, Protocol

from ..request_context import current_request_id, request_id_var
from ..trace_context import job_span, trace_carrier

REQUEST_ID_ARGUMENT: Final = "_request_id"
TRACE_CONTEXT_ARGUMENT: Final = "_trace_context"
"""The deferring span's W3C headers (`traceparent`, `tracestate`): procrastinate carries no trace context itself."""

START_LISTINGS: Final = ("procrastinate.blueprints", "procrastinate.periodic")
"""The loggers with which procrastinate lists its tasks and periodic tasks at every start of every process: a dozen
lines saying nothing new (`quiet_start_listings`)."""

job_id_var: ContextVar[int | None] = ContextVar("job_id", default=None)
task_var: ContextVar[str | None] = ContextVar("task", default=None)


class JobLike(Protocol):
    """What the log context reads of a procrastinate job."""

    @property
    def id(self) -> int | None: ...
    @property
    def task_name(self) -> str: ...
    @property
    def task_kwargs(self) -> dict[str, Any]: ...
    @property
    def queue(self) -> str: ...


def deferred_arguments(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The job's arguments, with the id of the request deferring it and its trace context (when there are)."""
    deferred = dict(arguments)
    if request_id := current_request_id():
        deferred[REQUEST_ID_ARGUMENT] = request_id
    if carrier := trace_carrier():
        deferred[TRACE_CONTEXT_ARGUMENT] = carrier
    return deferred


@contextmanager
def job_context(job: JobLike) -> Iterator[None]:
    """While the job runs: its id and task on every log line, the deferring request's id as `request_id`, and the
    job's span (in the deferring request's trace)."""
    request_id = job.task_kwargs.pop(REQUEST_ID_ARGUMENT, None)
    carrier = job.task_kwargs.pop(TRACE_CONTEXT_ARGUMENT, None)  # taken out even when this process does not trace
    tokens = (job_id_var.set(job.id), task_var.set(job.task_name), request_id_var.set(request_id))
    try:
        with job_span(job.task_name, job.id, job.queue, carrier, system="procrastinate"):
            yield
    finally:
        request_id_var.reset(tokens[2])
        task_var.reset(tokens[1])
        job_id_var.reset(tokens[0])
        # Put back for procrastinate's line on the job's outcome, written after this context (`JobLogFilter`).
        if request_id is not None:
            job.task_kwargs[REQUEST_ID_ARGUMENT] = request_id


class JobLogFilter(logging.Filter):
    """Adds `job_id` and `task` to the lines written while a job runs (the formatter logs them as fields).

    procrastinate's own lines on a job's start and outcome are written outside the job's context and carry the whole
    job and worker as dicts (`extra={"job": ..., "worker": ...}`): a dozen fields each, the job's arguments among
    them. Such a line keeps the job's id, its task, the deferring request's id and the worker's name instead; a line
    on jobs deferred keeps their ids."""

    def filter(self, record: logging.LogRecord) -> bool:
        job_id = job_id_var.get()
        if job_id is not None:
            record.job_id = job_id
            record.task = task_var.get()
        fields = record.__dict__
        if isinstance(job := fields.get("job"), dict):
            del fields["job"]
            record.job_id, record.task = job.get("id"), job.get("task_name")
            arguments = job.get("task_kwargs")
            if job_id is None and isinstance(arguments, dict):
                record.request_id = arguments.get(REQUEST_ID_ARGUMENT)
        if isinstance(worker := fields.get("worker"), dict):
            record.worker = worker.get("name")
        if isinstance(jobs := fields.get("jobs"), list):  # "Deferred N jobs": the ids, not the dumps
            record.jobs = [job.get("id") for job in jobs if isinstance(job, dict)]
        return True


def install_job_log_fields() -> None:
    """Puts `JobLogFilter` on every handler of the root logger (call it after logging is configured)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(existing, JobLogFilter) for existing in handler.filters):
            handler.addFilter(JobLogFilter())


class HasJob(Protocol):
    @property
    def job(self) -> Any: ...


async def job_log_context(call_next: Callable[[], Awaitable[Any]], context: HasJob, worker: object) -> Any:
    """A procrastinate worker middleware: runs the job inside `job_context`."""
    with job_context(context.job):
        return await call_next()


def quiet_start_listings() -> None:
    """Only warnings from `START_LISTINGS`."""
    for name in START_LISTINGS:
        logging.getLogger(name).setLevel(logging.WARNING)
