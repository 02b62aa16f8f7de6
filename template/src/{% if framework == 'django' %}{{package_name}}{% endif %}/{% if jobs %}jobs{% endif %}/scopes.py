"""Who may read operations: the scopes a bearer token needs, and the one that reaches every owner's operations."""

from __future__ import annotations

from typing import Final

from ..api.scopes import MethodScopes

# No route writes an operation: the service starts them (e.g. an item's export) and its worker updates them.
OPERATION_SCOPES: Final = MethodScopes(read=("operations:read",), write=(), admin="operations:admin")
