"""Who may call each items route: the scopes its bearer token must carry, declared once and used in the routes'
`dependencies=`. Each operation's scopes appear in the OpenAPI document, and a caller given every scope the
registered routes declare (`api_scopes()` in app.py) holds these.
"""

from __future__ import annotations

from typing import Final

from ..api.access import requires

ITEMS_READ: Final = "items:read"
ITEMS_WRITE: Final = "items:write"
ITEMS_ADMIN: Final = "items:admin"
"""Widens what `items:read` and `items:write` act on to every owner's items (alone it grants nothing)."""

READ_ITEMS = [requires(ITEMS_READ)]
"""Listing and reading items."""
WRITE_ITEMS = [requires(ITEMS_WRITE)]
"""Creating, replacing, updating and deleting items."""
