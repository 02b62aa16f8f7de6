"""How often a worker tells the queue it is alive, given JOBS_STALLED_AFTER: one rule for every worker.

The stalled-jobs recovery retries the running jobs of workers without a heartbeat for JOBS_STALLED_AFTER seconds, and
a starting worker deletes such workers' rows (a worker whose row is gone fails at its next job). A worker with a short
threshold (a test's, or one started mid-deploy with a new value) must still find every live worker fresh, whatever
their own threshold: so a heartbeat at least every 2 s, and at least four within the worker's own threshold. One small
UPDATE a beat.
"""

from __future__ import annotations

from typing import Final

HEARTBEAT_AT_MOST_EVERY_S: Final = 2.0


def heartbeat_interval(stalled_after: float) -> float:
    """Seconds between a worker's heartbeats (procrastinate's `update_heartbeat_interval`)."""
    return min(HEARTBEAT_AT_MOST_EVERY_S, stalled_after / 4)
