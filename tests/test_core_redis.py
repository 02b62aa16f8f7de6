"""The shared Redis client (`core/redis.py`) after a Redis restart, end to end in each framework: a pooled
connection that the old server closed is replaced once, so the first readiness probe on the healthy new server
answers 200 and the first request is limited again (no "Connection closed by server", no skipped limiting).
Also: outside development, readiness names the failing dependency without its exception text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ProjectFactory, RenderedProject
from .redis_server import RedisServer, start_redis
from .test_rate_limiting import FRAMEWORKS, get_as, start, wait_for_redis_check

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=FRAMEWORKS)
def redis_project(request: pytest.FixtureRequest, projects: ProjectFactory) -> RenderedProject:
    return projects.installed(**request.param)


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = start_redis(tmp_path)
    yield server
    server.kill()


def test_the_first_probe_after_a_redis_restart_succeeds(
    redis_project: RenderedProject, redis: RedisServer, tmp_path: Path
) -> None:
    service = start(redis_project, tmp_path, redis.url, RATE_LIMIT_DEFAULT="3/minute")
    try:
        with service.client() as http:
            assert wait_for_redis_check(http, "ok").status_code == 200
            assert get_as(http, "192.0.2.1").headers["x-ratelimit-remaining"] == "2"  # pooled connections now
            redis.restart()  # same port, a fresh server: every pooled connection is dead
            first_probe = http.get("/health/ready")
            assert first_probe.status_code == 200, first_probe.text
            after = get_as(http, "192.0.2.2")
            assert after.status_code == 200
            assert after.headers.get("x-ratelimit-remaining") == "2", "limiting must not be skipped after a restart"
            for _ in range(3):
                assert http.get("/health/ready").status_code == 200
    finally:
        service.kill()
    assert "Redis is unavailable" not in service.log_path.read_text()


def test_readiness_hides_the_error_text_outside_development(
    redis_project: RenderedProject, redis: RedisServer, tmp_path: Path
) -> None:
    redis.kill()
    service = start(redis_project, tmp_path, redis.url, ENVIRONMENT="staging", SECRET_KEY="s" * 64)
    try:
        with service.client() as http:
            ready = wait_for_redis_check(http, "degraded")
            summary = http.get("/health").json()
    finally:
        service.kill()
    assert ready.status_code == 200, ready.text  # Redis is optional: the service serves without it
    body = ready.json()
    assert body["checks"]["redis"] == {**body["checks"]["redis"], "status": "degraded", "detail": "unavailable"}
    assert summary["checks"]["redis"]["detail"] == "unavailable"
    assert "127.0.0.1" not in str(body) + str(summary)
