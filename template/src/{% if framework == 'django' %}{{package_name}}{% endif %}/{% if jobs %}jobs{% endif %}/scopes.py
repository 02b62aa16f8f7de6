"""Who may read operations: the scopes a bearer token needs, and the one that reaches every owner's operations
(core/jobs/operations.py)."""

from __future__ import annotations

from typing import Final

from ..api.scopes import MethodScopes
from ..core.jobs.operations import OPERATIONS_ADMIN, OPERATIONS_READ, starting_scopes

# No route writes an operation: the service starts them (e.g. an item's export) and its worker updates them.
OPERATION_SCOPES: Final = MethodScopes(read=(OPERATIONS_READ,), write=(), admin=OPERATIONS_ADMIN)


def starting(*scopes: str) -> tuple[str, ...]:
    """The scopes of a view that starts an operation (core/jobs/operations.py's `starting_scopes`)."""
    return starting_scopes(*scopes)
