"""Long-running operations, the rules every framework's share: a request whose work takes a while answers `202
Accepted` with the operation's `Location`, and its client polls `GET /api/v1/operations/{id}` until `status` is
`succeeded` (the `result`) or `failed` (a problem+json `error`). An operation is owned like any resource: another
caller's is a 404, and `OPERATIONS_ADMIN` reaches every owner's."""

from __future__ import annotations

from typing import Final

OPERATIONS_READ: Final = "operations:read"
OPERATIONS_ADMIN: Final = "operations:admin"
"""Widens `operations:read` to every owner's operations (alone it grants nothing)."""


def starting_scopes(*scopes: str) -> tuple[str, ...]:
    """The scopes of a route that starts an operation: its own `scopes` and `operations:read`. Whoever may start an
    operation may follow its `Location`: a token that could start one it cannot read would queue work whose outcome
    it never learns (a 403 at the poll, after the work was done); asking for both at the start refuses such a token
    before anything is queued, and the route's scopes in the OpenAPI document say everything it needs."""
    return (*scopes, OPERATIONS_READ)
