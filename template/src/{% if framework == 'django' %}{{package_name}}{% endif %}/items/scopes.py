"""Who may read and write items: the scopes a bearer token needs (the views' `required_scopes`), and the one that
reaches every owner's items."""

from __future__ import annotations

from typing import Final

from ..api.scopes import MethodScopes

ITEM_SCOPES: Final = MethodScopes(read=("items:read",), write=("items:write",), admin="items:admin")
