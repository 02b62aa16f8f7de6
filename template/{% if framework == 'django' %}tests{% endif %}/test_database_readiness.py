"""Readiness checks the database: reachable and fully migrated, or 503 with the reason (a production start does not
migrate, and /api would otherwise fail with "no such table" while readiness said 200)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx2 as httpx
import pytest

from .conftest import Client
from .processes import PACKAGE, start_service

# As a deployed service runs: it never migrates by itself (the deploy step does).
NO_MIGRATIONS_AT_START = {"MIGRATE_ON_START": "false"}


def test_ready_reports_the_migrated_database(asgi_client: Client) -> None:
    response = asgi_client.get("/health/ready")
    assert response.json()["checks"]["database"]["status"] == "ok"  # other checks (Redis) are tested apart


@pytest.mark.server
def test_unmigrated_database_is_not_ready_until_migrated(tmp_path: Path) -> None:
    database = tmp_path / "fresh.sqlite3"
    database_url = f"sqlite:///{database}"
    service = start_service({**NO_MIGRATIONS_AT_START, "DATABASE_URL": database_url})
    try:
        response = httpx.get(f"{service.base_url}/health/ready")
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["detail"].startswith("Not ready: database")  # other checks (Redis) may fail here too
        detail = body["checks"]["database"]["detail"]
        assert re.fullmatch(r"UnappliedMigrationsError: \d+ unapplied migrations?: run manage.py migrate", detail)
        assert httpx.get(f"{service.base_url}/health").json()["status"] == "degraded"

        environment = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "DJANGO_"))}
        subprocess.run(
            [sys.executable, "-m", PACKAGE, "migrate"],
            env={**environment, **NO_MIGRATIONS_AT_START, "DATABASE_URL": database_url},
            check=True,
            capture_output=True,
        )
        ready = httpx.get(f"{service.base_url}/health/ready")
        assert ready.json()["checks"]["database"]["status"] == "ok", ready.text
        assert httpx.get(f"{service.base_url}/api/v1/items").status_code == 200
    finally:
        service.stop()


@pytest.mark.server
def test_unreachable_database_is_not_ready(tmp_path: Path) -> None:
    missing = tmp_path / "missing-directory" / "db.sqlite3"
    service = start_service({**NO_MIGRATIONS_AT_START, "DATABASE_URL": f"sqlite:///{missing}"})
    try:
        response = httpx.get(f"{service.base_url}/health/ready")
    finally:
        service.stop()
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["detail"] == "unavailable"  # the path stays inside
