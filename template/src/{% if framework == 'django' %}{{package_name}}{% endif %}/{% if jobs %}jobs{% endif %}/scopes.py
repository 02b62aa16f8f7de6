"""Who may read operations: the scopes a bearer token needs, and the one that reaches every owner's operations."""

from __future__ import annotations

from typing import Final

from ..api.scopes import MethodScopes

# No route writes an operation: the service starts them (e.g. an item's export) and its worker updates them.
OPERATION_SCOPES: Final = MethodScopes(read=("operations:read",), write=(), admin="operations:admin")


def starting(*scopes: str) -> tuple[str, ...]:
    """The scopes of a view that starts an operation: its own `scopes` and `operations:read`. Whoever may start an
    operation may follow its `Location`: a token that could start one it cannot read would queue work whose outcome
    it never learns (a 403 at the poll, after the work was done); asking for both at the start refuses such a token
    before anything is queued, and the view's scopes in the OpenAPI document say everything it needs."""
    return (*scopes, *OPERATION_SCOPES.read)
