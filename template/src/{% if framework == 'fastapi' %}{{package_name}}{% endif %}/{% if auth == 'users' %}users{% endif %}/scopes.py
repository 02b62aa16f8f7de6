"""Who may call each users route. `users:admin` manages every account; anyone signed in manages their own;
`tokens:admin` introspects any access token."""

from __future__ import annotations

from ..api.access import requires
from ..core.accounts.admins import ADMIN_SCOPE
from ..core.accounts.introspection import TOKENS_ADMIN

SIGNED_IN = [requires()]
"""Any valid token: the caller's own account."""
ADMIN = [requires(ADMIN_SCOPE)]
"""Listing, creating, reading, changing, deactivating and deleting any account."""
INTROSPECTION = [requires(TOKENS_ADMIN)]
"""Introspecting any access token (`POST /api/v1/auth/verify`): core/accounts/introspection.py says why a scope."""
