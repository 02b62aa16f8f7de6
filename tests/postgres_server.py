"""PostgreSQL for the template's own tests: the rendered projects' `PostgresCluster` (one implementation, loaded
from the template by path), one throwaway cluster per test process, a new database per service that needs one."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import itertools
import os
from pathlib import Path
from types import ModuleType

from .conftest import REPO_ROOT, RenderedProject

_CLUSTER_MODULE = REPO_ROOT / "template" / "tests" / "{% if database == 'postgresql' %}postgres_cluster.py{% endif %}"
_names = itertools.count()


def _cluster_module() -> ModuleType:
    # A loader by hand: the file's name ends in copier's condition, not in `.py`.
    loader = importlib.machinery.SourceFileLoader("template_postgres_cluster", str(_CLUSTER_MODULE))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {_CLUSTER_MODULE}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


postgres_cluster = _cluster_module()


def new_database_url() -> str:
    """A new, empty database on this test process's cluster (started on first use, removed at exit)."""
    cluster = postgres_cluster.shared_cluster()
    if cluster is None:
        raise RuntimeError("PostgreSQL's server binaries are not installed (.ci/apt-packages: postgresql)")
    return str(cluster.create_database(f"service_{os.getpid()}_{next(_names)}"))


def deployable_database_url(project: RenderedProject, directory: Path) -> str:
    """A DATABASE_URL that staging and production accept for this project: a new PostgreSQL database, or a SQLite
    file for database=sqlite."""
    if project.answers.get("database", "postgresql") == "sqlite":
        return f"sqlite:///{directory / 'deployed.sqlite3'}"
    return new_database_url()
