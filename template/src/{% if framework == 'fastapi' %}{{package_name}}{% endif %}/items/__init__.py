"""The items resource, the example to copy for your own: its models (models.py), table (table.py), storage
(repository.py), routes (routes.py), scopes (scopes.py), rate limits (limits.py) and dependencies (dependencies.py).
`app.py` registers its router in `RESOURCE_ROUTERS`; nothing outside this package names it."""
