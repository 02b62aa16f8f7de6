"""Pure ASGI middleware around the web framework, one concern per module; the app factory fixes their order."""
