"""The item views' own rate limit, on top of the per-client RATE_LIMIT_DEFAULT every /api view has.

Writes cost more than reads, so they get a stricter budget, the items' own (`scope` names it): another resource's
writes never spend it.
(Without rate limiting, RATE_LIMIT_ENABLED=false, no limit applies.)
"""

from __future__ import annotations

from typing import Final

from ..rates import WRITE_METHODS, RouteLimit

WRITE_LIMIT: Final = (RouteLimit("30/minute", scope="items:write", methods=WRITE_METHODS),)
"""Creating, replacing and deleting items: 30 per minute per client (reads only count against the default)."""
