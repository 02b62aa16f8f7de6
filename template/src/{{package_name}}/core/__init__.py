"""Framework-neutral parts of the service: they never import the web framework."""
