"""Fixtures of the contract suite: each module runs against every contract variant, as a real process."""

from __future__ import annotations

import contextlib
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


@contextlib.contextmanager
def variant_service(
    project: RenderedProject, tmp_path_factory: pytest.TempPathFactory, **env: str
) -> Iterator[Service]:
    """The variant's service with what it is ready with: its own database (PostgreSQL, a new database on the tests'
    cluster, or a SQLite file) and, with `use_redis`, a redis-server of its own; `env` on top."""
    settings = {"DATABASE_URL": deployable_database_url(project, tmp_path_factory.mktemp("database")), **env}
    redis = start_redis(tmp_path_factory.mktemp("redis")) if project.answers.get("use_redis") else None
    if redis is not None:
        settings["REDIS_URL"] = redis.url
    try:
        running = start_service(project, tmp_path_factory.mktemp("logs"), **settings)
        try:
            yield running
        finally:
            running.kill()
    finally:
        if redis is not None:
            redis.kill()


@pytest.fixture(scope="module")
def service(contract_project: RenderedProject, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with variant_service(contract_project, tmp_path_factory, CORS_ORIGINS=ALLOWED_ORIGIN) as running:
        yield running


@pytest.fixture
def client(service: Service) -> Iterator[httpx.Client]:
    with service.client() as http:
        yield http
