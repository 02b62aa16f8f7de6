"""Who hears of the writes a resource's repository (api/crud.py) commits outside a request: a job, a command, a
script. A request's own writes are invalidated by its `CachedReads`; these go to every `WrittenRecords` the process
registered with `observe_writes` (the application cache does, in the API and in the worker), once the session that
wrote them has committed: from its `after_commit`, awaited before `commit()` returns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final, Protocol

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.util import await_only


class WrittenRecords(Protocol):
    """Told which records (resource, id) a transaction wrote, once it has committed, for every write a repository
    makes outside a request (a request's own go through its `CachedReads`)."""

    async def committed(self, written: Sequence[tuple[str, str]]) -> None: ...


_OBSERVERS: list[WrittenRecords] = []
_WRITTEN: Final = "written_records"
"""The key, in a session's `info`, of the records written in its transaction and not yet told."""


def observe_writes(observer: WrittenRecords) -> Callable[[], None]:
    """Tell `observer` of every committed write of a repository outside a request, in this process, until the
    returned function is called. An observer is awaited on the event loop that commits: register it there."""
    _OBSERVERS.append(observer)
    return lambda: _OBSERVERS.remove(observer)


def tell_after_commit(session: AsyncSession, resource: str, key: str) -> None:
    """`resource`'s record `key` was written in `session`'s transaction: the observers hear of it once it commits."""
    sync_session = session.sync_session
    written: set[tuple[str, str]] | None = sync_session.info.get(_WRITTEN)
    if written is None:
        written = sync_session.info[_WRITTEN] = set()
        event.listen(sync_session, "after_commit", _committed)
        event.listen(sync_session, "after_soft_rollback", _rolled_back)
    written.add((resource, key))


def _committed(sync_session: Session) -> None:
    written: set[tuple[str, str]] = sync_session.info[_WRITTEN]
    if not written:
        return
    told = sorted(written)
    written.clear()
    # Runs inside `AsyncSession.commit()`'s greenlet: the observers are awaited before the commit returns, so the
    # job or command that committed goes on only once the cache forgot what it wrote.
    for observer in tuple(_OBSERVERS):
        await_only(observer.committed(told))


def _rolled_back(sync_session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the whole transaction: nothing it wrote stays
        sync_session.info[_WRITTEN].clear()


def observed() -> bool:
    """Whether anyone listens: without, a write records nothing."""
    return bool(_OBSERVERS)
