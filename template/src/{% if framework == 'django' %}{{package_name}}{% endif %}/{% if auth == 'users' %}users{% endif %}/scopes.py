"""Who may manage users: the scope a bearer token needs for the users API beyond one's own account."""

from __future__ import annotations

from typing import Final

from ..api.scopes import MethodScopes

ADMIN_SCOPE: Final = "users:admin"
USER_ADMIN_SCOPES: Final = MethodScopes(read=(ADMIN_SCOPE,), write=(ADMIN_SCOPE,))
