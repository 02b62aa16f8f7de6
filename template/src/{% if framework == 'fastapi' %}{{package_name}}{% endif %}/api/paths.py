"""URL prefixes. Routers carry their full prefix and are included without one, so the route template in logs
and metrics (`scope["route"].path`) is the whole path, e.g. `/api/v1/items/{item_id}`."""

API_V1 = "/api/v1"

API_PREFIX = "/api"
"""Every route under it is an API route: it declares who may call it (route_guards.py)."""
