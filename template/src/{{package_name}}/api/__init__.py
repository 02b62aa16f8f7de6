"""The HTTP layer every resource shares (URL prefixes, access declarations, the shared CRUD, conditional reads, the
event stream) and the routes that belong to no resource (health, the index, debug)."""
