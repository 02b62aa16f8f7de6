"""The items resource, the example of a resource: its models (models.py), table (table.py), storage on the shared
repository (repository.py), routes (routes.py), scopes (scopes.py), rate limits (limits.py) and repository dependency
(dependencies.py). Each item belongs to the caller that created it. `app.py` registers its router in
`RESOURCE_ROUTERS`; nothing outside this package names it."""
