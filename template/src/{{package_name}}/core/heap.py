"""The garbage collector of a process that serves requests, set once the service has started.

Requests here leave no reference cycles behind: what a request allocates is freed by reference counting when it
ends. The cyclic collector still runs, because it counts allocations, not garbage: with many requests in flight
their live objects cross its thresholds, each young collection moves them to an older generation, and every so often
a full collection walks the whole heap, the ~150,000 objects of the imported framework, libraries, app and routes
included, to find nothing. Under load that was a quarter of the CPU of a read by id.

So, once the service has started (its lifespan's startup done) in a process that serves (`mark_serving`: the
entry points, never the tests' apps):
- what exists then is frozen (`gc.freeze()`): full collections no longer walk it. It lives as long as the process
  anyway; a cycle among it that is dropped later is never reclaimed, which costs at most what startup allocated.
- the young generation is collected every `YOUNG_GENERATION_THRESHOLD` allocations instead of 700, so that the
  objects of the requests in flight are seldom moved into older generations only to die there. Real cyclic garbage
  is still collected, a little later.
"""

from __future__ import annotations

import gc
from typing import Final

YOUNG_GENERATION_THRESHOLD: Final = 7_000
"""Net allocations between two collections of the young generation (CPython's default: 700). At 7,000 a FastAPI item
read at 32 connections met ~0.5 young collections per 1,000 requests instead of ~160."""

_serving: list[bool] = [False]


def mark_serving() -> None:
    """This process serves requests: `settle_after_startup` applies (called by the entry points that serve)."""
    _serving[0] = True


def settle_after_startup() -> bool:
    """Called at the end of the service's startup. In a serving process, freeze what startup left and raise the
    young generation's threshold; elsewhere (tests, commands) nothing. True when it did."""
    if not _serving[0]:
        return False
    gc.collect()  # what startup left as garbage is freed, not frozen
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *gc.get_threshold()[1:])
    return True
