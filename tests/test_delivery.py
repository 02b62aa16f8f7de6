"""Delivery files of every variant pass real validators; the image's build steps produce a service that runs.

Validators (pinned in tests/delivery_tools.py, installed by uv on first use): hadolint, check-jsonschema
(github-workflows, dependabot, gitlab-ci, compose-spec), zizmor --offline, docker-compose config, pre-commit
validate-config, kubectl kustomize + kubernetes-validate --strict for each supported Kubernetes version.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from .bearer import service_auth
from .conftest import (
    REPO_ROOT,
    ProjectFactory,
    RenderedProject,
    python_interpreter,
    slow_unless,
    uv_binary,
    variant_group,
    variant_param,
    variant_params,
)
from .contract.service import DEPLOYED_MAIL, free_port, sends_mail
from .delivery_tools import KUBERNETES_VERSIONS, STAGING_POSTGRES_PASSWORD, STAGING_S3_SECRET_ACCESS_KEY, Toolbox
from .image_build import BuiltImage, as_image_user, build, dockerignore_filter
from .keda_schemas import SCHEMAS as KEDA_SCHEMAS
from .postgres_server import new_database_url
from .test_render import static_variants
from .variants import deep_variants, deep_variants_to_run, in_turn, selected, variant_id, with_defaults

# The fast subset (`-m "not slow"`) validates the delivery files of these variants, which between them hold both
# frameworks, both databases and both CI providers; the full suite validates more (`delivery_variants`: each costs
# seconds of validator runs, most of the fast subset's time when all ran there).
FAST_DELIVERY_VARIANTS = [{}, {"framework": "django"}, {"database": "sqlite"}, {"ci_provider": "gitlab"}]
DELIVERY_TURNS = 3


def delivery_variants() -> list[dict[str, object]]:
    """The static variants whose delivery files this run validates: every one with ALL_VARIANTS=1; else the fast
    subset's, this run's deep variants, and a third of the others by the commit's slot (`in_turn`), so that three
    successive slots validate them all. Every static variant is still rendered and checked on every run
    (tests/test_render.py); the validators here cost seconds per variant, 11 % of a run when all ran."""
    always = {variant_id(with_defaults(answers)) for answers in [*FAST_DELIVERY_VARIANTS, *deep_variants_to_run()]}
    chosen, others = [], 0
    for answers in static_variants():
        if variant_id(with_defaults(answers)) in always:
            chosen.append(answers)
        else:
            if in_turn(others % DELIVERY_TURNS, DELIVERY_TURNS):
                chosen.append(answers)
            others += 1
    return chosen


STATIC = slow_unless(variant_params(delivery_variants()), FAST_DELIVERY_VARIANTS)
PINNED_ACTION = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")


@pytest.fixture(scope="session")
def toolbox(shared_tmp_path: Path) -> Toolbox:
    memo = shared_tmp_path / "delivery-tool-results"
    memo.mkdir(exist_ok=True)
    return Toolbox(memo)


@pytest.fixture(params=STATIC)
def project(request: pytest.FixtureRequest, projects: ProjectFactory) -> RenderedProject:
    return projects.render(**request.param)


def load_all(path: Path) -> list[dict[str, Any]]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


# --- Dockerfile ---------------------------------------------------------------------------------------------------


def test_dockerfile(project: RenderedProject, toolbox: Toolbox) -> None:
    dockerfile = project.path / "Dockerfile"
    toolbox.check("hadolint", "--failure-threshold", "info", "Dockerfile", cwd=project.path, inputs=[dockerfile])
    text = dockerfile.read_text()
    assert f'CMD ["python", "-m", "{project.package}"]' in text
    assert "uv sync --locked --no-dev --no-editable --compile-bytecode" in text
    assert f"FROM python:{project.python_version}-slim" in text
    assert re.search(r"^USER 10001:10001$", text, re.MULTILINE)
    assert "/health/live" in text.split("HEALTHCHECK", 1)[1]
    assert not [line for line in text.splitlines() if "curl" in line and not line.lstrip().startswith("#")]
    # .dockerignore sends exactly what the build copies; .env never reaches the image.
    ignore = [
        line.strip()
        for line in (project.path / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    (project.path / ".env").write_text("SECRET=1\n")
    try:
        sent = {path.relative_to(project.path).parts[0] for path in dockerignore_filter(project.path, ignore)}
    finally:
        (project.path / ".env").unlink()
    assert sent == {"pyproject.toml", "uv.lock", "README.md", "src"}


# --- compose -------------------------------------------------------------------------------------------------------


def test_compose(project: RenderedProject, toolbox: Toolbox) -> None:
    files = [project.path / "compose.yaml", project.path / "compose.staging.yaml"]
    toolbox.check("docker-compose", "-f", "compose.yaml", "config", "--quiet", cwd=project.path, inputs=files)
    toolbox.check(
        "docker-compose",
        *("-f", "compose.yaml", "-f", "compose.staging.yaml", "config", "--quiet"),
        cwd=project.path,
        inputs=files,
    )
    toolbox.check(
        "check-jsonschema",
        *("--builtin-schema", "vendor.compose-spec", "compose.yaml", "compose.staging.yaml"),
        cwd=project.path,
        inputs=files,
    )
    merged = yaml.safe_load(
        toolbox.check(
            "docker-compose",
            *("-f", "compose.yaml", "-f", "compose.staging.yaml", "config"),
            cwd=project.path,
            inputs=files,
        )
    )
    app = merged["services"]["app"]
    assert app["environment"]["ENVIRONMENT"] == "staging"
    assert app["healthcheck"]["test"][-1].count("/health/live") == 1
    assert app["read_only"] is True
    # Migrations are a deploy step: a one-shot service the app waits for, never the app itself.
    migrate = merged["services"]["migrate"]
    assert migrate["command"] == ["python", "-m", project.package, "migrate"]
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert app["environment"]["MIGRATE_ON_START"] == "false"
    assert migrate["environment"]["DATABASE_URL"] == app["environment"]["DATABASE_URL"]
    expected_services = {"app", "migrate"}
    if project.answers.get("database", "postgresql") == "postgresql":
        expected_services.add("postgres")
        postgres = merged["services"]["postgres"]
        assert "pg_isready" in postgres["healthcheck"]["test"]
        assert any(volume["target"] == "/var/lib/postgresql/data" for volume in postgres["volumes"])
        assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert app["environment"]["DATABASE_URL"] == f"postgresql://app:{STAGING_POSTGRES_PASSWORD}@postgres:5432/app"
    else:
        assert app["environment"]["DATABASE_URL"] == "sqlite:////data/db.sqlite3"
        assert any(volume["target"] == "/data" for volume in app["volumes"]), "SQLite needs a writable volume"
        assert any(volume["target"] == "/data" for volume in migrate["volumes"])
    if project.answers["use_redis"]:
        expected_services.add("redis")
        assert app["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert app["depends_on"]["redis"]["condition"] == "service_healthy"
        assert "healthcheck" in merged["services"]["redis"]
    else:
        assert "REDIS_URL" not in app["environment"]
    if project.answers.get("jobs"):
        expected_services.add("worker")
        worker = merged["services"]["worker"]
        assert worker["command"] == ["python", "-m", project.package, "worker"]
        assert worker["image"] == app["image"]
        assert worker["read_only"] is True
        assert worker["environment"]["ENVIRONMENT"] == "staging"
        assert worker["environment"]["DATABASE_URL"] == app["environment"]["DATABASE_URL"]
        assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "/health/ready" in worker["healthcheck"]["test"][-1]
        # Longer than JOBS_SHUTDOWN_TIMEOUT's default (30 s): running jobs finish before the container is killed.
        assert worker["stop_grace_period"] == "40s"
    if project.answers["auth"] == "users" and project.answers.get("jobs"):
        # Development's SMTP server: the app offers password reset through it, the worker sends there.
        expected_services.add("mailpit")
        assert merged["services"]["mailpit"]["image"].startswith("axllent/mailpit:v")
        for name in ("app", "worker"):
            assert merged["services"][name]["environment"]["MAIL_SMTP_URL"] == "smtp://mailpit:1025", name
    else:
        assert "MAIL_SMTP_URL" not in app["environment"]
    if project.answers.get("file_storage"):
        # The files' S3-compatible store, pinned (never a `latest`), its bucket made before the app starts, the
        # secret from the environment in staging (never the development one).
        expected_services |= {"s3", "s3-bucket"}
        s3, bucket = merged["services"]["s3"], merged["services"]["s3-bucket"]
        assert re.fullmatch(r"chrislusf/seaweedfs:\d+\.\d+", s3["image"]), s3["image"]
        assert app["environment"]["FILES_STORE"] == "s3"
        assert app["environment"]["S3_ENDPOINT_URL"] == "http://s3:8333"
        assert app["depends_on"]["s3-bucket"]["condition"] == "service_completed_successfully"
        assert bucket["depends_on"]["s3"]["condition"] == "service_healthy"
        assert bucket["image"] == app["image"]
        assert bucket["environment"]["S3_BUCKET"] == app["environment"]["S3_BUCKET"]
        secrets = {
            app["environment"]["S3_SECRET_ACCESS_KEY"],
            s3["environment"]["AWS_SECRET_ACCESS_KEY"],
            bucket["environment"]["AWS_SECRET_ACCESS_KEY"],
        }
        assert secrets == {STAGING_S3_SECRET_ACCESS_KEY}
        # Staging refuses to start without a secret of its own, rather than falling back to compose.yaml's.
        staging = yaml.safe_load((project.path / "compose.staging.yaml").read_text())["services"]
        required = "${S3_SECRET_ACCESS_KEY:?set S3_SECRET_ACCESS_KEY}"
        assert staging["app"]["environment"]["S3_SECRET_ACCESS_KEY"] == required
        assert staging["s3"]["environment"]["AWS_SECRET_ACCESS_KEY"] == required
        assert staging["s3-bucket"]["environment"]["AWS_SECRET_ACCESS_KEY"] == required
        assert app["environment"]["S3_ACCESS_KEY_ID"] == s3["environment"]["AWS_ACCESS_KEY_ID"]
    else:
        assert "FILES_STORE" not in app["environment"]
    assert set(merged["services"]) == expected_services

    # The development service: only with `--profile dev`, the source tree mounted over the image's copy, reloading.
    with_dev = toolbox.check(
        "docker-compose", *("-f", "compose.yaml", "--profile", "dev", "config"), cwd=project.path, inputs=files
    )
    dev = yaml.safe_load(with_dev)["services"]["dev"]
    assert dev["environment"]["ENVIRONMENT"] == "development"
    assert dev["environment"]["PYTHONPATH"] == "/app/src"
    assert "--reload" in dev["command"]
    # The app the reloader serves: uvicorn's factory, or granian's worker factory (which adds the empty Server header).
    factory = "core.server:worker_app" if project.answers.get("server") == "granian" else "server:app_from_environment"
    assert f"{project.package}.{factory}" in dev["command"]
    source = next(volume for volume in dev["volumes"] if volume["target"] == "/app/src")
    # The validators' output is cached by file content, so the absolute path may be another identical render's.
    assert source["type"] == "bind"
    assert Path(source["source"]).name == "src"
    assert dev["read_only"] is True


def test_compose_behind_pgbouncer(project: RenderedProject, toolbox: Toolbox) -> None:
    """compose.pgbouncer.yaml over the stack: the app (and the worker) through PgBouncer in transaction mode, told it
    is one, with the direct URL beside it; the migrations straight to PostgreSQL."""
    pooled = project.path / "compose.pgbouncer.yaml"
    if project.answers.get("database", "postgresql") != "postgresql":
        assert not pooled.exists()
        return
    files = [project.path / "compose.yaml", project.path / "compose.staging.yaml", pooled]
    toolbox.check(
        "check-jsonschema",
        *("--builtin-schema", "vendor.compose-spec", "compose.pgbouncer.yaml"),
        cwd=project.path,
        inputs=files,
    )
    for stack in (["compose.yaml"], ["compose.yaml", "compose.staging.yaml"]):
        merged = yaml.safe_load(
            toolbox.check(
                "docker-compose",
                *(argument for name in [*stack, "compose.pgbouncer.yaml"] for argument in ("-f", name)),
                "config",
                cwd=project.path,
                inputs=files,
            )
        )
        services = merged["services"]
        password = STAGING_POSTGRES_PASSWORD
        direct = f"postgresql://app:{password}@postgres:5432/app"
        assert services["migrate"]["environment"]["DATABASE_URL"] == direct, stack
        assert "DATABASE_POOLER" not in services["migrate"]["environment"]
        clients = ["app", "worker"] if project.answers.get("jobs") else ["app"]
        for name in clients:
            environment = services[name]["environment"]
            assert environment["DATABASE_URL"] == f"postgresql://app:{password}@pgbouncer:6432/app", name
            assert environment["DATABASE_DIRECT_URL"] == direct, name
            assert environment["DATABASE_POOLER"] == "transaction", name
            assert services[name]["depends_on"]["pgbouncer"]["condition"] == "service_healthy", name
        pgbouncer = services["pgbouncer"]
        assert pgbouncer["environment"]["POOL_MODE"] == "transaction"
        assert pgbouncer["environment"]["DATABASE_URL"] == direct
        assert pgbouncer["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert "6432" in pgbouncer["healthcheck"]["test"]


# --- CI --------------------------------------------------------------------------------------------------------------


def check_github_workflows(root: Path, toolbox: Toolbox, workflows: list[Path]) -> None:
    toolbox.check(
        "check-jsonschema",
        *("--builtin-schema", "vendor.github-workflows", *(str(path.relative_to(root)) for path in workflows)),
        cwd=root,
        inputs=workflows,
    )
    github = [path for path in (root / ".github").rglob("*") if path.is_file()]
    toolbox.check("zizmor", "--offline", "--no-progress", ".github", cwd=root, inputs=github)
    for path in workflows:
        workflow = yaml.safe_load(path.read_text())
        assert workflow["permissions"] == {"contents": "read"}, path
        assert workflow["concurrency"]["cancel-in-progress"] is True, path
        for name, job in workflow["jobs"].items():
            assert job.get("timeout-minutes"), f"{path}: job {name} has no timeout"
            for step in job.get("steps", []):
                if "uses" in step:
                    line = next(line for line in path.read_text().splitlines() if step["uses"] in line)
                    assert PINNED_ACTION.match(line.split("uses: ", 1)[1]), f"{path}: not pinned by SHA: {line}"
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False


def test_ci(project: RenderedProject, toolbox: Toolbox) -> None:
    provider = project.answers["ci_provider"]
    github = project.path / ".github"
    gitlab = project.path / ".gitlab-ci.yml"
    assert github.exists() == (provider == "github")
    assert gitlab.exists() == (provider == "gitlab")
    postgresql = project.answers.get("database", "postgresql") == "postgresql"
    # CI fails when the models and the migrations disagree.
    django = project.answers["framework"] == "django"
    migration_check = "makemigrations --check --dry-run" if django else "alembic check"
    if provider == "github":
        workflow = github / "workflows" / "ci.yml"
        check_github_workflows(project.path, toolbox, [workflow])
        dependabot = github / "dependabot.yml"
        toolbox.check(
            "check-jsonschema",
            *("--builtin-schema", "vendor.dependabot", ".github/dependabot.yml"),
            cwd=project.path,
            inputs=[dependabot],
        )
        ecosystems = {update["package-ecosystem"] for update in yaml.safe_load(dependabot.read_text())["updates"]}
        assert {"uv", "github-actions", "docker"} <= ecosystems
        jobs = yaml.safe_load(workflow.read_text())["jobs"]
        commands = [step.get("run", "") for job in jobs.values() for step in job["steps"]]
        assert "uv sync --locked --compile-bytecode" in commands
        assert any("mypy" in command for command in commands)
        assert any("pytest" in command for command in commands)
        assert any(step.get("uses", "").startswith("docker/build-push-action@") for step in jobs["image"]["steps"])
        services = jobs["test"].get("services", {})
        assert ("redis" in services) == project.answers["use_redis"]
        assert ("postgres" in services) == postgresql
        assert ("TEST_DATABASE_URL" in jobs["test"].get("env", {})) == postgresql
        assert any(migration_check in command for command in commands)
        # The end-to-end tests run against the service the job starts.
        e2e = [step.get("run", "") for step in jobs["e2e"]["steps"]]
        assert any("python -m" in command and "wait_for_service.py" in command for command in e2e)
        assert any("make e2e" in command for command in e2e)
    if provider == "gitlab":
        toolbox.check(
            "check-jsonschema",
            *("--builtin-schema", "vendor.gitlab-ci", ".gitlab-ci.yml"),
            cwd=project.path,
            inputs=[gitlab],
        )
        pipeline = yaml.safe_load(gitlab.read_text())
        assert pipeline["stages"] == ["lint", "test", "build"]
        assert "uv sync --locked --compile-bytecode" in pipeline["lint"]["script"]
        images = [service["name"] for service in pipeline["test"].get("services", [])]
        assert any(image.startswith("redis:") for image in images) == project.answers["use_redis"]
        assert any(image.startswith("postgres:") for image in images) == postgresql
        assert ("TEST_DATABASE_URL" in pipeline["test"]["variables"]) == postgresql
        assert any(migration_check in command for command in pipeline["lint"]["script"])
        e2e = pipeline["e2e"]["script"]
        assert any("wait_for_service.py" in command for command in e2e)
        assert any(command.startswith("uv run --locked pytest tests/e2e") for command in e2e)


# --- pre-commit ----------------------------------------------------------------------------------------------------


def test_pre_commit(project: RenderedProject, toolbox: Toolbox) -> None:
    config = project.path / ".pre-commit-config.yaml"
    toolbox.check("pre-commit", "validate-config", ".pre-commit-config.yaml", cwd=project.path, inputs=[config])
    hooks = {hook["id"]: hook for repo in yaml.safe_load(config.read_text())["repos"] for hook in repo["hooks"]}
    for required in ["ruff", "ruff-format", "mypy", "trailing-whitespace", "end-of-file-fixer", "check-yaml"]:
        assert required in hooks, required
    limit = next(int(arg.split("=")[1]) for arg in hooks["check-added-large-files"]["args"] if "maxkb" in arg)
    assert limit >= 5000, "the vendored docs UI bundle (~4.5 MB) must pass check-added-large-files"


# --- Kubernetes ----------------------------------------------------------------------------------------------------


def built_overlays(project: RenderedProject, toolbox: Toolbox) -> dict[str, list[dict[str, Any]]]:
    root = project.path / "deploy" / "kubernetes"
    inputs = [path for path in root.rglob("*") if path.is_file()]
    built = {}
    with tempfile.TemporaryDirectory(prefix="built-overlays-") as scratch:
        targets = []
        for overlay in ["base", "overlays/staging", "overlays/production"]:
            output = toolbox.check(
                "kubectl", "kustomize", f"deploy/kubernetes/{overlay}", cwd=project.path, inputs=inputs
            )
            target = Path(scratch) / f"built-{overlay.replace('/', '-')}.yaml"
            target.write_text(output)
            targets.append(target)
            built[overlay] = [document for document in yaml.safe_load_all(output) if document]
        # The three overlays in one run per Kubernetes version: starting the validator costs more than validating.
        for version in KUBERNETES_VERSIONS:
            toolbox.check(
                "kubernetes-validate",
                *("--strict", "--quiet", "-k", version, *(target.name for target in targets)),
                cwd=Path(scratch),
                inputs=targets,
            )
    return built


def test_kubernetes(project: RenderedProject, toolbox: Toolbox) -> None:
    deploy = project.path / "deploy"
    assert deploy.exists() == project.answers["kubernetes"]
    if not project.answers["kubernetes"]:
        return
    sqlite = project.answers.get("database", "postgresql") == "sqlite"
    for overlay, documents in built_overlays(project, toolbox).items():
        kinds = {document["kind"]: document for document in documents if component_of(document) != "worker"}
        workers = [document for document in documents if component_of(document) == "worker"]
        if project.answers.get("jobs"):
            assert_workers_run_beside_the_service(kinds, workers, project.package)
        else:
            assert not workers
        assert {"Deployment", "Service", "PodDisruptionBudget", "ConfigMap"} <= set(kinds)
        assert_migrations_run_before_the_service(kinds, project.package)
        if sqlite:
            assert_single_replica_owning_the_sqlite_file(kinds, overlay)
        else:
            assert kinds["HorizontalPodAutoscaler"]["apiVersion"] == "autoscaling/v2"
            assert "replicas" not in kinds["Deployment"]["spec"], "the HorizontalPodAutoscaler owns the count"
            assert kinds["Deployment"]["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
            assert "PersistentVolumeClaim" not in kinds
        pod = kinds["Deployment"]["spec"]["template"]
        spec = pod["spec"]
        (container,) = spec["containers"]
        security = container["securityContext"]
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] == 10001
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        assert security["readOnlyRootFilesystem"] is True
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"]["drop"] == ["ALL"]
        mounts = {mount["mountPath"] for mount in container["volumeMounts"]}
        assert mounts == ({"/tmp", "/data"} if sqlite else {"/tmp"})
        assert container["resources"]["requests"]
        assert container["resources"]["limits"]
        assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
        assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
        config = kinds["ConfigMap"]["data"]
        assert container["envFrom"][0]["configMapRef"]["name"] == kinds["ConfigMap"]["metadata"]["name"]
        pause = container["lifecycle"]["preStop"]["sleep"]["seconds"]
        assert spec["terminationGracePeriodSeconds"] > pause + int(config["GRACEFUL_TIMEOUT"]), overlay
        database_url = [env for env in container.get("env", []) if env["name"] == "DATABASE_URL"]
        if sqlite:
            assert not database_url
            assert config["DATABASE_URL"] == "sqlite:////data/db.sqlite3"
        else:
            secret = database_url[0]["valueFrom"]["secretKeyRef"]
            assert secret["name"].endswith("-database")
            assert secret["key"] == "url"
            assert "DATABASE_URL" not in config, "a secret: never in the ConfigMap"
        mail = [env for env in container.get("env", []) if env["name"] == "MAIL_SMTP_URL"]
        if project.answers["auth"] == "users" and project.answers.get("jobs"):
            # The worker's env is the API's (assert_workers_run_beside_the_service): both read the Secret.
            secret = mail[0]["valueFrom"]["secretKeyRef"]
            assert secret["name"].endswith("-mail")
            assert secret["key"] == "smtp-url"
            assert "MAIL_SMTP_URL" not in config, "a secret: never in the ConfigMap"
        else:
            assert not mail
        files = {env["name"]: env for env in container.get("env", []) if env["name"].startswith("S3_")}
        if project.answers.get("file_storage"):
            # Every replica sees every file: S3, the bucket in the ConfigMap, the credentials from a Secret only.
            assert config["FILES_STORE"] == "s3"
            assert config["S3_BUCKET"]
            assert set(files) == {"S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"}
            assert all(env["valueFrom"]["secretKeyRef"]["name"].endswith("-files") for env in files.values())
            assert not {"S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"} & set(config), "secrets: never in the ConfigMap"
            if project.answers["framework"] == "django":
                # Django spools a request's body to /tmp: an upload there must not count against the pod's memory.
                (tmp,) = [volume for volume in spec["volumes"] if volume["name"] == "tmp"]
                assert "medium" not in tmp["emptyDir"]
        else:
            assert not files
            assert "FILES_STORE" not in config
        redis = [env for env in container.get("env", []) if env["name"] == "REDIS_URL"]
        if project.answers["use_redis"]:
            assert redis[0]["valueFrom"]["secretKeyRef"]["key"] == "url"
        else:
            assert not redis
        annotations = pod["metadata"].get("annotations", {})
        assert (annotations.get("prometheus.io/scrape") == "true") == project.answers["use_prometheus"]
        if project.answers["framework"] == "django":
            assert_django_secret_key_from_a_secret(container)
        if overlay != "base":
            environment = overlay.rsplit("/", 1)[1]
            assert config["ENVIRONMENT"] == environment
            assert kinds["Deployment"]["metadata"]["namespace"].endswith(environment)


def component_of(document: dict[str, Any]) -> str | None:
    labels: dict[str, str] = document["metadata"].get("labels", {})
    return labels.get("app.kubernetes.io/component")


def assert_workers_run_beside_the_service(
    kinds: dict[str, dict[str, Any]], workers: list[dict[str, Any]], package: str
) -> None:
    """The worker Deployment: the service's image, settings and hardening, its own probes on JOBS_HEALTH_PORT, a
    grace period longer than JOBS_SHUTDOWN_TIMEOUT, and its own disruption budget."""
    by_kind = {document["kind"]: document for document in workers}
    assert set(by_kind) == {"Deployment", "PodDisruptionBudget"}
    deployment, budget = by_kind["Deployment"], by_kind["PodDisruptionBudget"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert budget["spec"]["selector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]
    assert labels["app.kubernetes.io/component"] == "worker"
    assert budget["spec"]["maxUnavailable"] == 1
    spec = deployment["spec"]["template"]["spec"]
    (worker,) = spec["containers"]
    (app,) = kinds["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert worker["command"] == ["python", "-m", package, "worker"]
    assert worker["image"] == app["image"]
    for key in ("envFrom", "env", "securityContext"):
        assert worker.get(key) == app.get(key), key
    assert spec["securityContext"] == kinds["Deployment"]["spec"]["template"]["spec"]["securityContext"]
    config = kinds["ConfigMap"]["data"]
    (port,) = worker["ports"]
    assert port["containerPort"] == int(config["JOBS_HEALTH_PORT"])
    for probe, path in (("livenessProbe", "/health/live"), ("readinessProbe", "/health/ready")):
        assert worker[probe]["httpGet"] == {"path": path, "port": port["name"]}
    assert spec["terminationGracePeriodSeconds"] > int(config["JOBS_SHUTDOWN_TIMEOUT"])
    assert "initContainers" not in spec, "the service's pods migrate; a worker never does"


def production_with(
    component: str, project: RenderedProject, toolbox: Toolbox, tmp_path: Path, *, validate: bool = True
) -> tuple[list[dict[str, Any]], dict[tuple[str, str | None], dict[str, Any]]]:
    """The production overlay with `component` added as the README says, built with kustomize and validated for
    each supported Kubernetes version (unless not `validate`: KEDA's kinds have no schema there); its documents, and
    them by (kind, component)."""
    tree = tmp_path / "kubernetes"
    shutil.copytree(project.path / "deploy" / "kubernetes", tree)
    production = tree / "overlays" / "production" / "kustomization.yaml"
    production.write_text(production.read_text() + f"components:\n  - ../../{component}\n")
    inputs = [path for path in tree.rglob("*") if path.is_file()]
    output = toolbox.check("kubectl", "kustomize", "kubernetes/overlays/production", cwd=tmp_path, inputs=inputs)
    if validate:
        built = tmp_path / "built.yaml"
        built.write_text(output)
        for version in KUBERNETES_VERSIONS:
            toolbox.check(
                "kubernetes-validate", *("--strict", "--quiet", "-k", version, built.name), cwd=tmp_path, inputs=[built]
            )
    documents = [document for document in yaml.safe_load_all(output) if document]
    return documents, {(document["kind"], component_of(document)): document for document in documents}


def client_containers(
    project: RenderedProject, by_kind: dict[tuple[str, str | None], dict[str, Any]]
) -> list[tuple[str, dict[str, Any]]]:
    """The containers that reach the database and export traces, by component: the API's, and the worker's with
    jobs."""
    clients = [("api", "app")] + ([("worker", "worker")] if project.answers.get("jobs") else [])
    found = []
    for component, container_name in clients:
        spec = by_kind[("Deployment", component)]["spec"]["template"]["spec"]
        (container,) = [container for container in spec["containers"] if container["name"] == container_name]
        found.append((component, container))
    return found


def test_keda_scales_the_workers_on_the_queue(project: RenderedProject, toolbox: Toolbox, tmp_path: Path) -> None:
    """The KEDA component (an overlay adds it) validates against the schemas of KEDA's documented fields and hands
    KEDA the worker count."""
    keda = project.path / "deploy" / "kubernetes" / "keda"
    if not (project.answers["kubernetes"] and project.answers.get("jobs")):
        assert not keda.exists()
        return
    _, by_kind = production_with("keda", project, toolbox, tmp_path, validate=False)
    scaled, authentication = by_kind[("ScaledObject", None)], by_kind[("TriggerAuthentication", None)]
    worker = by_kind[("Deployment", "worker")]
    assert "replicas" not in worker["spec"], "KEDA owns the worker count"
    assert scaled["spec"]["scaleTargetRef"]["name"] == worker["metadata"]["name"]
    assert scaled["metadata"]["namespace"] == worker["metadata"]["namespace"]
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["type"] == "postgresql"
    assert "FROM procrastinate_jobs WHERE status = 'todo'" in trigger["metadata"]["query"]
    assert trigger["authenticationRef"]["name"] == authentication["metadata"]["name"]
    (connection,) = authentication["spec"]["secretTargetRef"]
    (database_url,) = [
        env for env in worker["spec"]["template"]["spec"]["containers"][0]["env"] if env["name"] == "DATABASE_URL"
    ]
    assert connection == {"parameter": "connection", **database_url["valueFrom"]["secretKeyRef"]}

    checked = []
    for document, name in ((scaled, "scaledobject"), (authentication, "triggerauthentication")):
        schema = tmp_path / f"{name}.schema.json"
        schema.write_text(json.dumps(KEDA_SCHEMAS[name]))
        good, broken = tmp_path / f"{name}.json", tmp_path / f"{name}-broken.json"
        good.write_text(json.dumps(document))
        # A misspelt field: what the strict schema exists to catch.
        broken.write_text(json.dumps({**document, "spec": {**document["spec"], "minReplicas": 1}}))
        arguments = ("--schemafile", schema.name)
        toolbox.check("check-jsonschema", *arguments, good.name, cwd=tmp_path, inputs=[schema, good])
        refused = toolbox.run("check-jsonschema", *arguments, broken.name, cwd=tmp_path, inputs=[schema, broken])
        assert refused.returncode != 0, refused
        checked.append(name)
    assert checked == ["scaledobject", "triggerauthentication"]


def test_kubernetes_behind_pgbouncer(project: RenderedProject, toolbox: Toolbox, tmp_path: Path) -> None:
    """The PgBouncer component (an overlay adds it) validates, runs PgBouncer in transaction mode, and points the
    API's (and the worker's) DATABASE_URL at it, told it is one, with the direct URL beside it; the `migrate` init
    container keeps the direct URL."""
    component = project.path / "deploy" / "kubernetes" / "pgbouncer"
    if not (project.answers["kubernetes"] and project.answers.get("database", "postgresql") == "postgresql"):
        assert not component.exists()
        return
    _, by_kind = production_with("pgbouncer", project, toolbox, tmp_path)
    pgbouncer = by_kind[("Deployment", "pgbouncer")]
    service = by_kind[("Service", "pgbouncer")]
    assert service["spec"]["selector"] == pgbouncer["spec"]["selector"]["matchLabels"]
    (bouncer,) = pgbouncer["spec"]["template"]["spec"]["containers"]
    settings = {env["name"]: env for env in bouncer["env"]}
    assert settings["POOL_MODE"]["value"] == "transaction"
    assert settings["DATABASE_URL"]["valueFrom"]["secretKeyRef"]["key"] == "url"
    assert bouncer["securityContext"]["readOnlyRootFilesystem"] is True
    assert by_kind[("PodDisruptionBudget", "pgbouncer")]["spec"]["maxUnavailable"] == 1
    for component, container in client_containers(project, by_kind):
        env = {variable["name"]: variable for variable in container["env"]}
        assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]["key"] == "pooled-url", component
        assert env["DATABASE_DIRECT_URL"]["valueFrom"]["secretKeyRef"]["key"] == "url", component
        assert env["DATABASE_POOLER"]["value"] == "transaction", component
        assert len(container["env"]) == len(env), "each variable once"
    (migrate,) = by_kind[("Deployment", "api")]["spec"]["template"]["spec"]["initContainers"]
    migrate_env = {variable["name"]: variable for variable in migrate["env"]}
    assert migrate_env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]["key"] == "url"
    assert "DATABASE_POOLER" not in migrate_env


def test_kubernetes_with_the_otel_collector(project: RenderedProject, toolbox: Toolbox, tmp_path: Path) -> None:
    """The OpenTelemetry Collector component: its configuration is one the collector can run (every component the
    pipeline names is defined; it listens where the Service sends), and added to an overlay it validates and points
    the API's (and the worker's) OTEL_EXPORTER_OTLP_ENDPOINT at it. `otelcol validate` has no package here: the
    checks below are its part that concerns this file. Built and validated in the default variant only (each build
    costs seconds); the configuration is read in every variant with Kubernetes."""
    component = project.path / "deploy" / "kubernetes" / "otel-collector"
    if not project.answers["kubernetes"]:
        assert not component.exists()
        return
    config = yaml.safe_load((component / "collector.yaml").read_text())
    for section in ("receivers", "processors", "exporters"):
        for pipeline in config["service"]["pipelines"].values():
            assert pipeline[section], section
            assert set(pipeline[section]) <= set(config[section]), (section, pipeline[section])
    assert set(config["service"]["extensions"]) <= set(config["extensions"])
    assert config["receivers"]["otlp"]["protocols"]["http"]["endpoint"] == "0.0.0.0:4318"
    if variant_id(with_defaults(project.answers)) != variant_id(with_defaults({})):
        return
    documents, by_kind = production_with("otel-collector", project, toolbox, tmp_path)
    collector = by_kind[("Deployment", "otel-collector")]
    service = by_kind[("Service", "otel-collector")]
    assert service["spec"]["selector"] == collector["spec"]["selector"]["matchLabels"]
    (volume,) = collector["spec"]["template"]["spec"]["volumes"]
    config_maps = [document for document in documents if document["kind"] == "ConfigMap"]
    (config_map,) = [document for document in config_maps if "collector.yaml" in document.get("data", {})]
    assert volume["configMap"]["name"] == config_map["metadata"]["name"]  # the generated name, with its hash
    assert yaml.safe_load(config_map["data"]["collector.yaml"]) == config
    endpoint = f"http://{service['metadata']['name']}:{service['spec']['ports'][0]['port']}"
    for name, container in client_containers(project, by_kind):
        env = {variable["name"]: variable for variable in container["env"]}
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"]["value"] == endpoint, name


def assert_migrations_run_before_the_service(kinds: dict[str, dict[str, Any]], package: str) -> None:
    """`python -m <package> migrate` in an init container of the same image and settings; never the service."""
    spec = kinds["Deployment"]["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    (migrate,) = spec["initContainers"]
    assert kinds["ConfigMap"]["data"]["MIGRATE_ON_START"] == "false", "migrations are the init container's job"
    assert migrate["image"] == container["image"]
    assert migrate["command"] == ["python", "-m", package, "migrate"]
    for key in ("envFrom", "env", "securityContext", "volumeMounts"):
        assert migrate.get(key) == container.get(key), key


def assert_single_replica_owning_the_sqlite_file(kinds: dict[str, dict[str, Any]], overlay: str) -> None:
    """database=sqlite keeps the example resource in one SQLite file: one pod, which alone mounts the file's volume."""
    deployment = kinds["Deployment"]["spec"]
    assert deployment["replicas"] == 1, overlay
    assert deployment["strategy"] == {"type": "Recreate"}, "a rolling update would open the file from two pods"
    assert "HorizontalPodAutoscaler" not in kinds, "nothing may scale the single SQLite owner out"
    budget = kinds["PodDisruptionBudget"]["spec"]
    assert budget["maxUnavailable"] == 1, "one replica: a budget allowing no disruption blocks node drains forever"
    assert "minAvailable" not in budget
    spec = deployment["template"]["spec"]
    (container,) = spec["containers"]
    (migrate,) = spec["initContainers"]
    config = kinds["ConfigMap"]["data"]
    # The claim is mounted where DATABASE_URL's file is, by the pod's only volume of that claim.
    claim = kinds["PersistentVolumeClaim"]
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    (volume,) = [volume for volume in spec["volumes"] if "persistentVolumeClaim" in volume]
    assert volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    database_dir = config["DATABASE_URL"].removeprefix("sqlite:///").rsplit("/", 1)[0]
    for each in (container, migrate):
        assert {mount["mountPath"]: mount["name"] for mount in each["volumeMounts"]}[database_dir] == volume["name"]
    # uid 10001 can write the volume, and the root filesystem stays read-only.
    assert spec["securityContext"]["fsGroup"] == 10001


def assert_django_secret_key_from_a_secret(container: dict[str, Any]) -> None:
    secret_key = next(env for env in container["env"] if env["name"] == "SECRET_KEY")
    assert secret_key["valueFrom"]["secretKeyRef"]["key"] == "secret-key"


# --- uv.lock -------------------------------------------------------------------------------------------------------


@variant_group({})
def test_lock_is_created_at_copy_and_matches_the_project(projects: ProjectFactory) -> None:
    project = projects.render()
    assert (project.path / "uv.lock").is_file(), "the post-copy task did not create uv.lock"
    project.uv("lock", "--check")


def test_lock_task_never_fails_the_copy_without_uv(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "hooks" / "after_copy.py"), str(tmp_path), "my_service", "verbose"],
        cwd=tmp_path,
        env={"PATH": str(tmp_path)},  # no uv on PATH
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert not (tmp_path / "uv.lock").exists()


@variant_group({})
def test_lock_task_finds_the_projects_interpreter_where_path_has_none(projects: ProjectFactory, tmp_path: Path) -> None:
    """A shell whose PATH holds uv but no Python of the project's version (pyenv installed it, no shim active): uv
    alone refuses to lock ("No interpreter found for Python 3.12"), the task finds pyenv's."""
    source = projects.render().path
    project = tmp_path / "project"
    shutil.copytree(source, project, ignore=shutil.ignore_patterns(".venv", "uv.lock", ".git"))
    version = (project / ".python-version").read_text().strip()
    pyenv_root = tmp_path / "pyenv"
    installed = pyenv_root / "versions" / f"{version}.0" / "bin"
    installed.mkdir(parents=True)
    (installed / f"python{version}").symlink_to(python_interpreter(version))
    uv_only = tmp_path / "uv-only"
    uv_only.mkdir()
    (uv_only / "uv").symlink_to(uv_binary())
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("UV_PYTHON", "PYENV", "VIRTUAL_ENV"))
    }
    environment.update(PATH=str(uv_only), PYENV_ROOT=str(pyenv_root), UV_PYTHON_DOWNLOADS="never")
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "hooks" / "after_copy.py"), str(project), "my_service", "quiet"],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert (project / "uv.lock").is_file(), result.stderr


# --- The image, built without a Docker engine ------------------------------------------------------------------------


def image_variants() -> list[Any]:
    """Every Python version (the base image changes) and every deep variant this run tests in full (the dependencies
    change)."""
    versions = [{"python_version": version} for version in ("3.11", "3.13")]
    unique: dict[str, dict[str, Any]] = {}
    for answers in [*selected(versions), *deep_variants_to_run()]:
        unique.setdefault(variant_id(with_defaults(answers)), answers)
    return [variant_param(answers) for answers in unique.values()]


IMAGE_VARIANTS = image_variants()


@pytest.fixture
def scratch_root() -> Iterator[Path]:
    # Not under pytest's tmp dir: that is mode 700, and the image's unprivileged user must traverse the path.
    root = Path(tempfile.mkdtemp(prefix="image-build-"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.parametrize("answers", IMAGE_VARIANTS)
def test_image_build_steps_produce_a_running_service(
    projects: ProjectFactory, answers: dict[str, Any], scratch_root: Path, toolbox: Toolbox
) -> None:
    project = projects.render(**answers)
    interpreter = python_interpreter(project.python_version)
    image = build(project.path, scratch_root, uv_binary(), interpreter)
    assert sorted(child.name for child in image.app.iterdir()) == [".venv"], "runtime must hold only the venv"
    compiled = list((image.app / ".venv").rglob(f"{project.package}/__pycache__/*.pyc"))
    assert compiled, "bytecode was not compiled at build time"
    assert not list((image.app / ".venv").rglob("pytest")), "dev dependencies leaked into the image"

    port = free_port()
    env = {**image.env, "HOST": "127.0.0.1", "PORT": str(port)}  # loopback only on this machine
    if project.answers["framework"] == "django":
        # What a deployment provides as a secret: the image runs with ENVIRONMENT=production, which requires one.
        env["SECRET_KEY"] = "image-test-" + "k" * 50
    env.update(service_auth(project.answers))  # what a deployment provides: production needs a token key
    if sends_mail(project.answers):
        env.update(DEPLOYED_MAIL)  # and a mail server, for accounts that send email
    home = Path(interpreter).resolve().parents[3]  # <pyenv root>/versions/<version>/bin/python
    if project.answers.get("auth") == "users":
        # The signing keys a deployment keeps as a secret, made as the README says: the image's own command.
        env["AUTH_SIGNING_KEYS"] = run_in_image(image, ["python", "-m", project.package, "signing-key"], home, env)
    migrate_like_a_deploy(project, toolbox, image, env, home, scratch_root)
    log_path = scratch_root / "service.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            as_image_user(image, image.cmd, home), cwd=image.app, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 30
        response = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert response is not None, log_path.read_text()[-4000:]
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
        # Readiness checks the database: 200 on the database the deploy step migrated (production does not migrate
        # at start). Redis (with use_redis) is down here, which leaves readiness at 200: the service serves without it.
        ready = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=5)
        assert ready.json()["checks"]["database"]["status"] == "ok", ready.text
        assert ready.status_code == 200, ready.text
        status = Path(f"/proc/{process.pid}/status").read_text()
        uid_line = next(line for line in status.splitlines() if line.startswith("Uid:"))
        # As root the test switches to the image's USER; an unprivileged runner already is some other non-root uid.
        expected_uid = image.user[0] if os.geteuid() == 0 else os.getuid()
        assert uid_line.split()[1:] == [str(expected_uid)] * 4, f"not running as the image's USER: {uid_line}"
        # The image's own HEALTHCHECK command, as Docker would run it in the container.
        health = subprocess.run(image.healthcheck, env=env, capture_output=True, text=True, timeout=10, check=False)
        assert health.returncode == 0, health.stderr
        process.send_signal(signal.SIGTERM)  # exec-form CMD: the signal reaches python itself
        assert process.wait(timeout=30) in (0, -signal.SIGTERM, 143), log_path.read_text()[-4000:]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def run_in_image(image: BuiltImage, command: list[str], home: Path, env: dict[str, str]) -> str:
    """Run `command` as the image's user in its app directory; it must succeed. Its standard output, stripped."""
    result = subprocess.run(
        as_image_user(image, command, home),
        cwd=image.app,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


def migrate_like_a_deploy(
    project: RenderedProject, toolbox: Toolbox, image: BuiltImage, env: dict[str, str], home: Path, scratch_root: Path
) -> None:
    """The deploy step, as the image's user: with Kubernetes, the production overlay's `migrate` init container (its
    command and ConfigMap, which `env` then carries for the service too), else `python -m <package> migrate`. The
    database: a new PostgreSQL one, or the SQLite file on a directory standing in for the volume."""
    command = ["python", "-m", project.package, "migrate"]
    if project.answers["kubernetes"]:
        documents = {
            document["kind"]: document
            for document in built_overlays(project, toolbox)["overlays/production"]
            if component_of(document) != "worker"
        }
        (migrate,) = documents["Deployment"]["spec"]["template"]["spec"]["initContainers"]
        command = migrate["command"]
        env.update({**documents["ConfigMap"]["data"], "HOST": env["HOST"], "PORT": env["PORT"]})
    volume = scratch_root / "data"  # the claim: writable by the image's user (fsGroup 10001 on a cluster)
    volume.mkdir()
    if os.geteuid() == 0:
        os.chown(volume, *image.user)
    sqlite = project.answers.get("database", "postgresql") == "sqlite"
    env["DATABASE_URL"] = f"sqlite:///{volume / 'db.sqlite3'}" if sqlite else new_database_url()
    run_in_image(image, command, home, env)
    if sqlite:
        assert (volume / "db.sqlite3").is_file()


# --- The template's own CI -----------------------------------------------------------------------------------------


def test_template_ci_workflow(toolbox: Toolbox) -> None:
    workflow = REPO_ROOT / ".github" / "workflows" / "ci.yml"
    check_github_workflows(REPO_ROOT, toolbox, [workflow])
    text = workflow.read_text()
    assert "python -m tests.variants --github-matrix --shards 4" in text
    jobs = yaml.safe_load(text)["jobs"]
    assert jobs["test"]["env"]["TEMPLATE_VARIANTS"] == "${{ matrix.variants }}"
    assert any(step.get("run", "").startswith("scripts/test") for step in jobs["test"]["steps"])
    assert any(".ci/apt-packages" in step.get("run", "") for step in jobs["test"]["steps"])
    # The matrix it produces shards every deep variant (pairwise and extras) exactly once.
    result = subprocess.run(
        [sys.executable, "-m", "tests.variants", "--github-matrix", "--shards", "4"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    shards = yaml.safe_load(result.stdout)["include"]
    names = [name for shard in shards for name in shard["variants"].split(",")]
    assert sorted(names) == sorted(variant_id(with_defaults(answers)) for answers in deep_variants())


# --- The validators really reject what they are here to catch ------------------------------------------------------

BROKEN_FILES = [
    ("hadolint", "Dockerfile", "FROM python\nRUN apt-get update && apt-get install -y curl\n", ["Dockerfile"]),
    (
        "zizmor",
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v5\n",
        ["--offline", "--no-progress", ".github"],
    ),
    (
        "check-jsonschema",
        ".gitlab-ci.yml",
        "image:\n  stage: build\n  script: [echo]\n",
        ["--builtin-schema", "vendor.gitlab-ci", ".gitlab-ci.yml"],
    ),
    ("docker-compose", "compose.yaml", "services:\n  app:\n    imagee: x\n", ["config", "--quiet"]),
    (
        "pre-commit",
        ".pre-commit-config.yaml",
        "repos:\n  - repo: local\n",
        ["validate-config", ".pre-commit-config.yaml"],
    ),
    (
        "kubernetes-validate",
        "pdb.yaml",
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: x}\nspec: {maxUnavailable: 1, bogus: 1}\n",
        ["--strict", "--quiet", "-k", KUBERNETES_VERSIONS[0], "pdb.yaml"],
    ),
]


@pytest.mark.parametrize(("tool", "name", "content", "args"), BROKEN_FILES, ids=[case[0] for case in BROKEN_FILES])
def test_validators_reject_broken_files(
    toolbox: Toolbox, tmp_path: Path, tool: str, name: str, content: str, args: list[str]
) -> None:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    result = toolbox.run(tool, *args, cwd=tmp_path, inputs=[path])
    assert result.returncode != 0, f"{tool} accepted a broken {name}:\n{result.stdout}{result.stderr}"


def test_a_batched_validation_fails_on_one_broken_file_among_good_ones(toolbox: Toolbox, tmp_path: Path) -> None:
    """`built_overlays` validates the three overlays in one run: one broken manifest must fail the whole run."""
    good = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: x}\nspec: {maxUnavailable: 1}\n"
    files = {"a.yaml": good, "broken.yaml": good.replace("maxUnavailable: 1}", "maxUnavailable: 1, bogus: 1}")}
    files["c.yaml"] = good
    for name, content in files.items():
        (tmp_path / name).write_text(content)
    paths = [tmp_path / name for name in files]
    args = ["--strict", "--quiet", "-k", KUBERNETES_VERSIONS[0]]
    assert toolbox.run("kubernetes-validate", *args, "a.yaml", "c.yaml", cwd=tmp_path, inputs=paths).returncode == 0
    result = toolbox.run("kubernetes-validate", *args, *files, cwd=tmp_path, inputs=paths)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "broken.yaml" in result.stdout + result.stderr
