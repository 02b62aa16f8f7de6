"""Who may manage users: the scope a bearer token needs for the users API beyond one's own account; and who may
introspect any access token (`POST /api/v1/auth/verify`, core/accounts/introspection.py says why a scope)."""

from __future__ import annotations

from typing import Final

from ..api.scopes import MethodScopes
from ..core.accounts.admins import ADMIN_SCOPE
from ..core.accounts.introspection import TOKENS_ADMIN

USER_ADMIN_SCOPES: Final = MethodScopes(read=(ADMIN_SCOPE,), write=(ADMIN_SCOPE,))
INTROSPECTION_SCOPES: Final = {"POST": (TOKENS_ADMIN,)}
