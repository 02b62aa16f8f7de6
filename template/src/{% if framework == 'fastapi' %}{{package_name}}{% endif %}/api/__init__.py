"""What every API route shares: paths, access declarations, the database session, the JSON body rules, and the
routes that belong to no resource (health, debug)."""
