"""The "Database" section of the contract, from outside, in every contract variant, on the variant's own database
(PostgreSQL on the tests' cluster, or a SQLite file): items outlive the process, pages hold 20 by default and at
most 100, writes carry ETags and honour If-Match, a duplicate sku is a 409, `migrate` is safe to run twice at once,
and staging refuses to start without a database URL."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import RenderedProject
from ..postgres_server import deployable_database_url
from .checks import ITEM, assert_problem
from .service import Service, start_service

ITEMS = "/api/v1/items"

# Installs each contract variant and runs it on its database: the fast subset (`-m "not slow"`) leaves it out.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def database_url(contract_project: RenderedProject, tmp_path_factory: pytest.TempPathFactory) -> str:
    return deployable_database_url(contract_project, tmp_path_factory.mktemp("database"))


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("database-logs")


@pytest.fixture(scope="module")
def database_service(contract_project: RenderedProject, database_url: str, logs: Path) -> Iterator[Service]:
    running = start_service(contract_project, logs, DATABASE_URL=database_url)
    yield running
    running.kill()


def test_items_outlive_the_process(contract_project: RenderedProject, database_url: str, logs: Path) -> None:
    first = start_service(contract_project, logs, DATABASE_URL=database_url)
    try:
        with first.client() as client:
            created = client.post(ITEMS, json={**ITEM, "sku": "OUTLIVES-1"}, headers=first.as_client("198.51.100.1"))
            assert created.status_code == 201, created.text
    finally:
        assert first.terminate() in (0, -signal.SIGTERM)  # uvicorn re-raises SIGTERM once it has drained
    second = start_service(contract_project, logs, DATABASE_URL=database_url)
    try:
        with second.client() as client:
            # The same caller: an item is its creator's, anyone else's read is a 404.
            again = client.get(f"{ITEMS}/{created.json()['id']}", headers=second.as_client("198.51.100.1"))
    finally:
        second.kill()
    assert again.status_code == 200, again.text
    assert again.json() == created.json()
    assert again.headers["etag"] == created.headers["etag"]


def test_health_shows_the_database_without_its_url(database_service: Service, database_url: str) -> None:
    with database_service.client() as client:
        checks = client.get("/health/ready").json()["checks"]
        summary = client.get("/health")
    assert checks["database"]["status"] == "ok"
    engine = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    assert summary.json()["database"] == f"{engine}/{database_url.rsplit('/', 1)[-1]}"
    assert database_url.split("://", 1)[1].rsplit("/", 1)[0] not in summary.text  # no host, user or directory


def test_pages_hold_20_by_default_and_100_at_most(database_service: Service) -> None:
    headers = database_service.as_client("198.51.100.2")
    with database_service.client() as client:
        while client.get(ITEMS, params={"limit": 1}, headers=headers).json()["total"] < 21:
            assert client.post(ITEMS, json=ITEM, headers=headers).status_code == 201
        page = client.get(ITEMS, headers=headers).json()
        assert (len(page["items"]), page["limit"], page["offset"]) == (20, 20, 0)
        everything = client.get(ITEMS, params={"limit": 100}, headers=headers).json()["items"]
        assert [item["id"] for item in page["items"]] == [item["id"] for item in everything[:20]]
        after = client.get(ITEMS, params={"offset": 20, "limit": 1}, headers=headers).json()["items"]
        assert [item["id"] for item in after] == [everything[20]["id"]]
        body = assert_problem(client.get(ITEMS, params={"limit": 101}, headers=headers), 422)
        assert [error["field"] for error in body["errors"]] == ["query.limit"]


def test_writes_honour_if_match_and_the_sku_is_unique(database_service: Service) -> None:
    headers = database_service.as_client("198.51.100.3")
    with database_service.client() as client:
        created = client.post(ITEMS, json={**ITEM, "sku": "CONTRACT-SKU"}, headers=headers)
        assert created.status_code == 201, created.text
        path = f"{ITEMS}/{created.json()['id']}"
        patched = client.patch(path, json={"price_cents": 1}, headers={**headers, "If-Match": created.headers["etag"]})
        assert patched.status_code == 200, patched.text
        assert patched.json()["name"] == ITEM["name"]
        stale = client.put(path, json=ITEM, headers={**headers, "If-Match": created.headers["etag"]})
        assert_problem(stale, 412)
        assert_problem(client.delete(path, headers={**headers, "If-Match": created.headers["etag"]}), 412)
        assert_problem(client.post(ITEMS, json={**ITEM, "sku": "CONTRACT-SKU"}, headers=headers), 409)
        assert client.get(path, headers=headers).json() == patched.json()


def test_migrate_twice_at_once_succeeds_both_times(
    contract_project: RenderedProject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    url = deployable_database_url(contract_project, tmp_path_factory.mktemp("migrate"))
    command = [str(contract_project.venv_python), "-m", contract_project.package, "migrate"]
    environment = contract_project.env(ENVIRONMENT="test", DATABASE_URL=url)
    runs = [
        subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0].decode() for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert all("Traceback" not in output for output in outputs)


def test_staging_refuses_to_start_without_a_database_url(contract_project: RenderedProject) -> None:
    if contract_project.answers.get("database", "postgresql") != "postgresql":
        pytest.skip("database=sqlite: the file is the database everywhere")
    environment = contract_project.env(ENVIRONMENT="staging", SECRET_KEY="k" * 64)
    environment.pop("DATABASE_URL", None)
    result = subprocess.run(
        [str(contract_project.venv_python), "-m", contract_project.package],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "DATABASE_URL" in output
    assert "Traceback" not in output
