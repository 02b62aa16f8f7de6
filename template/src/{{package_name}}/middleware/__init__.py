"""Pure ASGI middleware, one concern per module; the app's middleware list fixes their order."""
