"""Who may call each users route. `users:admin` manages every account; anyone signed in manages their own;
`tokens:admin` introspects any access token."""

from __future__ import annotations

from typing import Final

from ..api.access import requires
from ..core.accounts.introspection import TOKENS_ADMIN

USERS_ADMIN: Final = "users:admin"

SIGNED_IN = [requires()]
"""Any valid token: the caller's own account."""
ADMIN = [requires(USERS_ADMIN)]
"""Listing, creating, reading, changing, deactivating and deleting any account."""
INTROSPECTION = [requires(TOKENS_ADMIN)]
"""Introspecting any access token (`POST /api/v1/auth/verify`): core/accounts/introspection.py says why a scope."""
