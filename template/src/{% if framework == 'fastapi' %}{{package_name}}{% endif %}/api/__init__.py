"""HTTP routes. Each module exposes a `router`; `app.create_app` includes them."""
