"""The items resource (`/api/v1/items`), the example of a resource: `python -m <package> resource add` writes a new
one in its image."""
