"""Fixtures of the contract suite: each module runs against every contract variant, as a real process."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from ..conftest import ProjectFactory, RenderedProject, variant_params
from ..postgres_server import deployable_database_url
from ..redis_server import start_redis
from ..variants import pairwise, selected
from .checks import ALLOWED_ORIGIN
from .service import Service, start_service

# Every variant of the pairwise set runs the whole contract; checks of optional features call
# `checks.requires(contract_project.answers, use_prometheus=True)` (answers include the defaults).
CONTRACT_VARIANTS = variant_params(selected(pairwise()))


@pytest.fixture(scope="module", params=CONTRACT_VARIANTS)
def contract_project(request: pytest.FixtureRequest, projects: ProjectFactory) -> RenderedProject:
    return projects.installed(**request.param)


@pytest.fixture(scope="module")
def service(contract_project: RenderedProject, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    # The variant's own database: PostgreSQL (a new database on the tests' cluster) or a SQLite file.
    env = {
        "CORS_ORIGINS": ALLOWED_ORIGIN,
        "DATABASE_URL": deployable_database_url(contract_project, tmp_path_factory.mktemp("database")),
    }
    redis = None
    if contract_project.answers.get("use_redis"):
        redis = start_redis(tmp_path_factory.mktemp("redis"))
        env["REDIS_URL"] = redis.url
    running = start_service(contract_project, tmp_path_factory.mktemp("logs"), **env)
    yield running
    running.kill()
    if redis is not None:
        redis.kill()


@pytest.fixture
def client(service: Service) -> Iterator[httpx.Client]:
    with service.client() as http:
        yield http
