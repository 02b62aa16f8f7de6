"""What happens to a file once its bytes are in: its states, the scan that lets it out of quarantine, the owner's
quota, and which pending uploads are stale. Framework-neutral: each framework's `files/` package applies these rules
(by jobs where the service has them, inline where it has none).

A file's states (its record's `status`):
- `pending`: a direct upload presigned and not completed yet; seen by nobody but `complete`, never listed;
- `quarantined`: its bytes are stored and passed the upload's own checks (size, type, first bytes); waiting for the
  scan. Listed and readable by its owner with this status, never downloadable;
- `ready`: the scan passed it: listed, readable, downloadable;
- `rejected`: the scan refused it: its object is gone, its record stays (with this status) so its owner learns why
  their file never became ready, until they delete it.

The scanner is a hook (`FILES_SCANNER`, a dotted path to an async function taking a `ScanSubject` and returning a
`Verdict`); the default `pass_every_file` passes every file. A scanner that raises has not decided: the file stays
quarantined and the scan is tried again (fail closed: an undecided file is never downloadable).
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from ..settings_files import FilesSettings
from .observers import file_observer
from .stores import FileStore, ObjectTooLarge

PENDING: Final = "pending"
QUARANTINED: Final = "quarantined"
READY: Final = "ready"
REJECTED: Final = "rejected"
HOLDING_BYTES: Final = (QUARANTINED, READY)
"""The states whose bytes count against their owner's quota; a pending upload reserves its announced size too, until
it is abandoned (`stale_before`): an abandoned one never locks its owner out, cleaned or not."""

STALE_AFTER: Final = timedelta(hours=1)
"""A pending upload this much older than its form's expiry is abandoned: its form no longer uploads anything, and a
browser that uploaded in time has had an hour to call `complete`."""


@dataclass(frozen=True)
class ScanSubject:
    """The file a scanner judges: its object's key, announced type and size, and its bytes (`read`)."""

    key: str
    content_type: str
    size: int
    store: FileStore

    def read(self) -> AsyncIterator[bytes]:
        """The object's bytes, chunk by chunk (never the whole file in memory)."""
        return self.store.read(self.key)


@dataclass(frozen=True)
class Verdict:
    """A scanner's decision: `passed`, or not with a `reason` (shown to the file's owner: no internals)."""

    passed: bool
    reason: str = ""


Scanner = Callable[[ScanSubject], Awaitable[Verdict]]
DEFAULT_SCANNER: Final = f"{__name__}.pass_every_file"


async def pass_every_file(subject: ScanSubject) -> Verdict:
    """The default scanner: passes every file (the upload's own checks have run already). Replace it with one that
    asks a virus scanner (clamd's INSTREAM over `subject.read()`) or a content policy: FILES_SCANNER."""
    return Verdict(passed=True)


def load_scanner(path: str) -> Scanner:
    """The scanner at the dotted `path` (`package.module.function`). Resolved when the service starts, so a typo
    stops it there rather than leaving every file quarantined."""
    module_name, _, name = path.rpartition(".")
    if not module_name:
        raise ValueError(f"FILES_SCANNER is a dotted path (package.module.function), not {path!r}")
    scanner = getattr(importlib.import_module(module_name), name, None)
    if not callable(scanner):
        raise ValueError(f"FILES_SCANNER names nothing callable: {path!r}")
    found: Scanner = scanner
    return found


def open_scanner(settings: FilesSettings) -> Scanner:
    """The scanner the settings name (FILES_SCANNER), or the default one."""
    return load_scanner(settings.files_scanner or DEFAULT_SCANNER)


async def scan(store: FileStore, scanner: Scanner, *, key: str, content_type: str, size: int) -> Verdict:
    """Judge the object at `key`; a refused one is removed from the store before the verdict is returned (its record
    then says `rejected`: a failure in between leaves a quarantined record, scanned again, never a listed object)."""
    try:
        verdict = await scanner(ScanSubject(key=key, content_type=content_type, size=size, store=store))
        if not verdict.passed:
            await store.delete(key)
    except Exception:
        file_observer().scanned("error")  # undecided: the file stays quarantined, scanned again
        raise
    file_observer().scanned("passed" if verdict.passed else "rejected")
    return verdict


async def remove_object(store: FileStore, key: str) -> None:
    """The object of a deleted file removed from the store (nothing to do when it is gone already), counted done or
    failed (the caller retries)."""
    try:
        await store.delete(key)
    except Exception:
        file_observer().deleted("failed")
        raise
    file_observer().deleted("done")


def state_after(verdict: Verdict) -> str:
    return READY if verdict.passed else REJECTED


class QuotaExceeded(Exception):  # noqa: N818 - a refusal, answered as a 409
    """The owner's files would take more than FILES_QUOTA_BYTES. A 409, not a 413: the file is acceptable in itself
    (413 is FILES_MAX_SIZE's), the owner's other files are in the way, and deleting some makes the same request
    succeed."""

    def __init__(self, used: int, adding: int, quota: int) -> None:
        super().__init__(
            f"Storage quota exceeded: your files take {used} of your {quota} bytes, and this one needs {adding} more"
        )
        self.used = used
        self.quota = quota


def check_quota(used: int, adding: int, quota: int) -> None:
    """QuotaExceeded when `adding` bytes to the `used` ones passes `quota`."""
    if used + adding > quota:
        raise QuotaExceeded(used, adding, quota)


def streamed_limit(used: int, quota: int, max_size: int) -> int:
    """The most bytes a streamed upload may have: FILES_MAX_SIZE, or less where the quota leaves less (the write then
    stops as soon as the quota is passed, with nothing stored). QuotaExceeded when nothing is left."""
    check_quota(used, 1, quota)
    return min(max_size, quota - used)


def refusal_past(limit: int, *, used: int, quota: int, max_size: int) -> Exception:
    """What a streamed upload stopped at `limit` is refused for: the quota when it set the limit, else the size."""
    if limit < max_size:
        return QuotaExceeded(used, limit + 1, quota)
    return ObjectTooLarge(max_size)


def stale_before(now: datetime, form_expiry_s: int) -> datetime:
    """Pending uploads created before this are abandoned (their object, if any, and their record go)."""
    return now - timedelta(seconds=form_expiry_s) - STALE_AFTER
