"""Framework-neutral parts of the service: identical in every framework, never imports the web framework."""
