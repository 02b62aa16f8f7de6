from __future__ import annotations

import asyncio

import pytest

from .conftest import Client


@pytest.fixture(autouse=True)
def only_the_database_check(asgi_client: Client) -> None:
    """Integrations add readiness checks of their own (Redis): their tests cover them."""
    checks = asgi_client.app.wiring.state.checks
    for name in [name for name in checks if name != "database"]:
        del checks[name]


def test_live(asgi_client: Client) -> None:
    response = asgi_client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_checks_every_dependency(asgi_client: Client) -> None:
    response = asgi_client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {"database": "ok"}


def test_summary(asgi_client: Client) -> None:
    body = asgi_client.get("/health").json()
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
def test_failed_dependency_makes_readiness_503(asgi_client: Client, check: object, detail: str) -> None:
    state = asgi_client.app.wiring.state
    state.check_timeout_s = 0.2
    state.add_check("database", check)  # type: ignore[arg-type]
    response = asgi_client.get("/health/ready")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["detail"] == "Not ready: database failed"
    assert body["checks"]["database"]["detail"] == detail
    summary = asgi_client.get("/health")
    assert summary.status_code == 503
    assert summary.json()["status"] == "degraded"


def test_readiness_is_503_once_shutdown_begins(asgi_client: Client) -> None:
    asgi_client.app.wiring.state.begin_shutdown()
    response = asgi_client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["detail"] == "Not ready: shutting down"
    assert asgi_client.get("/health").json()["status"] == "shutting_down"
    assert asgi_client.get("/health/live").status_code == 200
