"""Chunked request bodies (no Content-Length): over the limit a 413 before the route reads them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .conftest import AppContext


def test_streamed_body_over_limit_is_413(context: AppContext, client: TestClient) -> None:
    limit = context.settings.max_body_size

    def chunks() -> object:
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536

    response = client.post("/api/v1/items", content=chunks(), headers={"content-type": "application/json"})  # type: ignore[arg-type]
    assert response.status_code == 413
