"""Running a flow written once as a coroutine (core/accounts/mail_jobs.py) over a synchronous store (Django's ORM).

A shared flow awaits its store; a store whose methods are `async def` over synchronous calls never suspends, so the
coroutine runs to its end in one `send`, in the caller's thread and inside its transaction (`transaction.atomic()`
holds across the whole flow, which `async_to_sync` on another thread would not give)."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class FlowSuspendedError(RuntimeError):
    """A flow run by `run_unsuspended` waited on something: its store is not synchronous after all."""


def run_unsuspended(flow: Coroutine[Any, Any, T]) -> T:
    """The result of `flow`, run to its end in this thread; `FlowSuspendedError` if it suspends (nothing of it runs
    on: the coroutine is closed, so its `finally` blocks and context managers unwind)."""
    try:
        flow.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    flow.close()
    raise FlowSuspendedError(f"{flow!r} suspended: its store awaited something that waits")
