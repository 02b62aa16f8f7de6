"""Chunked request bodies (no Content-Length): over the limit a 413 before Django reads them, within it read whole."""

from __future__ import annotations

from .conftest import Client, Settings


def test_streamed_body_over_limit_is_413(asgi_client: Client, service_settings: Settings) -> None:
    limit = service_settings.max_body_size

    async def chunks() -> object:
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536

    response = asgi_client.post("/api/v1/items", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_streamed_body_within_limit_is_read(asgi_client: Client) -> None:
    async def chunks() -> object:
        yield b'{"name": "chunked", '
        yield b'"price_cents": 5}'

    response = asgi_client.post("/api/v1/items", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 201
    assert response.json()["name"] == "chunked"
