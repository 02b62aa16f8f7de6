"""Pure ASGI middleware, one concern per module; `app.install_middleware` fixes their order."""
