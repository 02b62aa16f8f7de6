"""What a service counts of its files: each file stored (and its bytes) by the way it came in, each upload refused by
reason, each scan's outcome, each removal of a deleted file's object. The rules' code (lifecycle.py) and each
framework's `files/` adapter report here; `file_observer()` is where it goes: the Prometheus counters of metrics.py
in a service that has them, nowhere in one that has not (nothing is imported, nothing counted).

Every label value is one of a few fixed words below: never a file's id, name, type or owner, which would make a new
series each.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
from typing import Final, Literal, Protocol

from .content import UnsupportedContent
from .stores import ObjectTooLarge
from .uploads import UploadRefused

Via = Literal["stream", "presigned"]
"""How the bytes came in: streamed through the service, or posted by a browser to the bucket (presign + complete)."""
Refusal = Literal["too_large", "type_refused", "quota", "completion_mismatch", "storage_error"]
"""Why an upload was refused: past FILES_MAX_SIZE (413), a type not allowed or not what it says (415), past the
owner's FILES_QUOTA_BYTES (409), a completed upload whose object is not the one presigned (409), or the store failing
mid-upload (the request fails). A body past the request-size cap of the upload's path is refused by the body limit
(core/middleware/body_limit.py) before any of the files' code sees it: a 413 of `http_requests_total`, not counted
here."""
ScanOutcome = Literal["passed", "rejected", "error"]
"""A scan's outcome: the file became ready, or rejected (its object removed), or the scanner or store failed and the
file stays quarantined, scanned again."""
DeletionOutcome = Literal["done", "failed"]
"""The removal of a deleted file's object: done, or failed (retried while the store fails)."""

VIAS: Final[tuple[Via, ...]] = ("stream", "presigned")
REFUSALS: Final[tuple[Refusal, ...]] = ("too_large", "type_refused", "quota", "completion_mismatch", "storage_error")
SCAN_OUTCOMES: Final[tuple[ScanOutcome, ...]] = ("passed", "rejected", "error")
DELETION_OUTCOMES: Final[tuple[DeletionOutcome, ...]] = ("done", "failed")


class FileObserver(Protocol):
    def stored(self, via: Via, size: int) -> None:
        """A file's bytes are in and checked (it is quarantined, then scanned)."""

    def refused(self, reason: Refusal) -> None:
        """An upload was refused, or failed, for `reason`."""

    def scanned(self, outcome: ScanOutcome) -> None:
        """A scan ended with `outcome`."""

    def deleted(self, outcome: DeletionOutcome) -> None:
        """The removal of a deleted file's object ended with `outcome`."""


class Unobserved:
    """Counts nothing: a service without metrics."""

    def stored(self, via: Via, size: int) -> None:
        pass

    def refused(self, reason: Refusal) -> None:
        pass

    def scanned(self, outcome: ScanOutcome) -> None:
        pass

    def deleted(self, outcome: DeletionOutcome) -> None:
        pass


def refusal(error: BaseException) -> Refusal:
    """The reason an upload that raised `error` is counted under: a rule's refusal, else the store's failure."""
    from .lifecycle import QuotaExceeded  # noqa: PLC0415 - lifecycle.py reports here: imported when first needed

    if isinstance(error, ObjectTooLarge):
        return "too_large"
    if isinstance(error, UnsupportedContent):
        return "type_refused"
    if isinstance(error, UploadRefused):
        return "completion_mismatch"
    if isinstance(error, QuotaExceeded):
        return "quota"
    return "storage_error"


METRICS_MODULE: Final = f"{__package__}.metrics"


@functools.cache
def file_observer() -> FileObserver:
    """This process's observer: the Prometheus counters (metrics.py) where the service has them, else `Unobserved`.
    Found once, by whether the module is there (as the optional resources are: core/optional_resources.py)."""
    if importlib.util.find_spec(METRICS_MODULE) is None:
        return Unobserved()
    observer: FileObserver = importlib.import_module(METRICS_MODULE).FILE_METRICS
    return observer
