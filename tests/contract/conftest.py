"""Fixtures of the contract suite: each module runs against every contract variant, as a real process."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import httpx
import pytest

from ..conftest import ProjectFactory, RenderedProject, variant_params
from ..postgres_server import deployable_database_url
from ..redis_server import start_redis
from ..variants import contract_variants, variant_id
from .checks import ALLOWED_ORIGIN
from .service import Service, start_service

# Every pairwise variant this run tests in full runs the whole contract, and each framework's default where none of
# them is of that framework; checks of optional features call `checks.requires(contract_project.answers,
# use_prometheus=True)` (answers include the defaults).
CONTRACT_VARIANTS = variant_params(contract_variants())


@pytest.fixture(scope="module", params=CONTRACT_VARIANTS)
def contract_project(request: pytest.FixtureRequest, projects: ProjectFactory) -> RenderedProject:
    return projects.installed(**request.param)


@contextlib.contextmanager
def variant_service(
    project: RenderedProject, tmp_path_factory: pytest.TempPathFactory, *, worker: bool = False, **env: str
) -> Iterator[Service]:
    """The variant's service with what it is ready with: its own database (PostgreSQL, a new database on the tests'
    cluster, or a SQLite file), with `use_redis` a redis-server of its own and, with `worker`, the worker that runs
    its jobs on PostgreSQL (`start_worker`); `env` on top."""
    settings = {"DATABASE_URL": deployable_database_url(project, tmp_path_factory.mktemp("database")), **env}
    redis = start_redis(tmp_path_factory.mktemp("redis")) if project.answers.get("use_redis") else None
    if redis is not None:
        settings["REDIS_URL"] = redis.url
    try:
        running = start_service(project, tmp_path_factory.mktemp("logs"), worker=worker, **settings)
        try:
            yield running
        finally:
            running.kill()
    finally:
        if redis is not None:
            redis.kill()


class SharedServices:
    """One running service per variant (`variant_service` with CORS_ORIGINS=ALLOWED_ORIGIN), started by the first
    module that asks for it and stopped at the end of the session: the contract modules that only send requests share
    it instead of starting one each (a start is a new database, migrations and a process). Their requests cannot
    disturb one another: each test names its own request ids, items and rate-limit identities, and the module that
    spends the default client's budget on purpose (test_rate_limit_contract.py) runs last. A module that needs other
    settings, or stops its service, starts its own."""

    def __init__(self, stack: contextlib.ExitStack, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._stack = stack
        self._tmp_path_factory = tmp_path_factory
        self._running: dict[str, Service] = {}

    def of(self, project: RenderedProject) -> Service:
        key = variant_id(project.answers)
        if key not in self._running:
            self._running[key] = self._stack.enter_context(
                variant_service(project, self._tmp_path_factory, CORS_ORIGINS=ALLOWED_ORIGIN)
            )
        running = self._running[key]
        if running.process.poll() is not None:
            pytest.fail(
                f"the shared service of {key} exited ({running.process.returncode}):\n{running.log_path.read_text()}"
            )
        return running


@pytest.fixture(scope="session")
def shared_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedServices]:
    with contextlib.ExitStack() as stack:
        yield SharedServices(stack, tmp_path_factory)


@pytest.fixture(scope="module")
def service(contract_project: RenderedProject, shared_services: SharedServices) -> Service:
    return shared_services.of(contract_project)


@pytest.fixture
def client(service: Service) -> Iterator[httpx.Client]:
    with service.client() as http:
        yield http
