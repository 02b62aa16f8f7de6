"""Loaded by a served process whose PYTHONPATH names this directory (bench/served_gc.py): counts what its garbage
collector does and writes it on demand, without a thread of its own.

SIGUSR1 appends one JSON line to $PROBE_OUT: collections and the CPU time spent in them, per generation, the objects
frozen, the process's CPU time and the Python calls counted so far. SIGUSR2 starts or stops counting Python calls
(function and C calls, on every thread).
"""

from __future__ import annotations

import gc
import json
import os
import signal
import threading
import time
from typing import Any

_collections = [0, 0, 0]
_seconds = [0.0, 0.0, 0.0]
_started = [0.0]
_calls = [0]
_counting = [False]


def _collector_event(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _started[0] = time.thread_time()
        return
    generation = info["generation"]
    _collections[generation] += 1
    _seconds[generation] += time.thread_time() - _started[0]


def _count(frame: Any, event: str, arg: Any) -> None:
    if event in ("call", "c_call"):
        _calls[0] += 1


def _write(signum: int, frame: Any) -> None:
    record = {
        "collections": _collections,
        "gc_seconds": _seconds,
        "frozen": gc.get_freeze_count(),
        "threshold": gc.get_threshold(),
        "cpu_seconds": time.process_time(),
        "calls": _calls[0],
    }
    with open(os.environ["PROBE_OUT"], "a") as out:
        out.write(json.dumps(record) + "\n")


def _toggle_counting(signum: int, frame: Any) -> None:
    _counting[0] = not _counting[0]
    threading.setprofile_all_threads(_count if _counting[0] else None)


if os.environ.get("PROBE_OUT"):
    gc.callbacks.append(_collector_event)
    signal.signal(signal.SIGUSR1, _write)
    signal.signal(signal.SIGUSR2, _toggle_counting)
