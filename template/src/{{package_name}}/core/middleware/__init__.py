"""Pure ASGI middleware shared by both frameworks, one concern per module; the app factory fixes their order."""
