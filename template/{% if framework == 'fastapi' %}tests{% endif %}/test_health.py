from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from fastapi.testclient import TestClient

from .conftest import AppContext


def test_live(client: TestClient) -> None:
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_with_no_dependencies(context: AppContext, client: TestClient) -> None:
    context.service.checks.clear()  # integrations add their own checks (Redis); their tests cover them
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {}}


def test_summary(context: AppContext, client: TestClient) -> None:
    context.service.checks.clear()
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["environment"] == "test"
    assert body["version"]
    assert body["database"].partition("/")[0] in ("postgresql", "sqlite")  # the engine and name, never the URL


async def _failing_check() -> None:
    raise ConnectionError("connection refused")


async def _hanging_check() -> None:
    await asyncio.sleep(10)


@pytest.mark.parametrize(
    ("check", "detail"),
    [(_failing_check, "unavailable"), (_hanging_check, "no answer within 0.2 s")],
)
def test_failed_dependency_makes_readiness_503(
    context: AppContext, client: TestClient, check: Callable[[], Awaitable[None]], detail: str
) -> None:
    context.service.checks.clear()
    context.service.check_timeout_s = 0.2
    context.service.add_check("database", check)
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["detail"] == "Not ready: database failed"
    assert body["checks"]["database"]["detail"] == detail
    summary = client.get("/health")
    assert summary.status_code == 503
    assert summary.json()["status"] == "degraded"


def test_readiness_is_503_once_shutdown_begins(context: AppContext, client: TestClient) -> None:
    context.service.begin_shutdown()
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["detail"] == "Not ready: shutting down"
    assert client.get("/health").json()["status"] == "shutting_down"
    assert client.get("/health/live").status_code == 200
