"""Who may call each users route. `users:admin` manages every account; anyone signed in manages their own."""

from __future__ import annotations

from typing import Final

from ..api.access import requires

USERS_ADMIN: Final = "users:admin"

SIGNED_IN = [requires()]
"""Any valid token: the caller's own account."""
ADMIN = [requires(USERS_ADMIN)]
"""Listing, creating, reading, changing, deactivating and deleting any account."""
