"""The rendered service beside its peers, each as its own template deploys it: one process each, one PostgreSQL.

    uv run python bench/peers.py --framework django     # beside cookiecutter-django (DRF, gunicorn's sync worker)
    uv run python bench/peers.py --framework fastapi    # beside full-stack-fastapi-template (and floor1)
    uv run python bench/peers.py --framework django --peer-source ~/src/cookiecutter-django --runs 5

The peer is cloned (`--peer-source`: a URL or a local clone; `--peer-ref` a commit or tag), generated or set up as its
README says, installed at its own pins into a venv of its own (`--peer-python`: its required Python when one is
found, else the newest one here, said in the output), migrated into its own database on the same PostgreSQL cluster
as the rendered service's, given one user, that user's token and one item, and started as its production image
starts it, with one process:
- **cookiecutter-django** (`rest_api=DRF`, `use_docker=n`, whitenoise, no cloud, no Celery, no Sentry; its post-gen
  hook, which only locks dependencies, is skipped): `gunicorn config.wsgi` (one sync worker, its default),
  `config.settings.production` with its defaults (`CONN_MAX_AGE=60`, `ATOMIC_REQUESTS`, its Redis cache on a
  `redis-server` started here). Its item is the 22-line owned `ModelViewSet` a team writes first (below: the
  rendered item's fields, `owner` from the token's user), served at `/api/items/{id}/` under its stock
  `TokenAuthentication`; its liveness is a one-line view returning `{"status": "ok"}`.
- **full-stack-fastapi-template** (backend only): `fastapi run app/main.py --workers 1` (its image runs
  `fastapi run --workers 4`), production (no `FASTAPI_ENV`), alembic-migrated, a signed-up user's JWT;
  `GET /api/v1/items/{id}`, `POST /api/v1/items/`, its `/api/v1/utils/health-check/`. With Python older than its
  `requires-python` (3.14), its one `except A, B:` clause is rewritten `except (A, B):` (the same meaning).
The rendered service runs as `bench/middleware.py` runs it (production settings, JSON access log, rate limit on);
with `--framework fastapi`, `floor1` too (bare FastAPI, the service's headers, one prepared asyncpg read of the same
row). Then, per scenario (GET an item by id at 32 and 64 connections, POST an item at 16, liveness at 64), each
server pinned to core 1 and wrk to core 0, the apps rotated run by run: median req/s and CPU per request (the server's
process tree, from /proc), and the ratios rendered/peer. CPU per request is the figure to trust on a busy machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent / "apps"))
from common import (
    SERVER_COLUMNS,
    bench_parser,
    clean_env,
    load_arguments,
    machine_description,
    medians,
    output_arguments,
    print_table,
    render_arguments,
    require_tools,
    scratch_directory,
    uv_binary,
)
from fixtures import ITEM_BODY as ITEM  # the rendered service's item
from middleware import (
    AUTH_HEADERS,
    Run,
    Server,
    count_lines_and_truncate,
    free_port,
    log_tail,
    parse_wrk,
    pinned,
    prepare_project,
    running_servers,
    start,
    stop,
)

SOURCES = {
    "django": "https://github.com/cookiecutter/cookiecutter-django",
    "fastapi": "https://github.com/fastapi/full-stack-fastapi-template",
}
PEER_NAMES = {"django": "cookiecutter-django", "fastapi": "full-stack-fastapi-template"}
# 64 connections last: full-stack-fastapi-template can stall there for good (see the README), failing what follows.
SCENARIOS = (("GET item", "GET", 32), ("POST item", "POST", 16), ("liveness", "GET", 64), ("GET item", "GET", 64))

# cookiecutter-django's owned item, as a team writes it first (models.py and views.py of an `items` app).
CCD_MODELS = """import uuid

from django.conf import settings
from django.db import models


class Item(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=1000, null=True, blank=True)
    price_cents = models.BigIntegerField()
    tags = models.JSONField(default=list)
    sku = models.CharField(max_length=64, null=True, blank=True)
    status = models.CharField(max_length=16, default="draft")
    available_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
"""
CCD_VIEWS = """from rest_framework import serializers, viewsets

from .models import Item


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        exclude = ("owner",)
        read_only_fields = ("id", "created_at", "updated_at", "version")


class ItemViewSet(viewsets.ModelViewSet):
    serializer_class = ItemSerializer

    def get_queryset(self):
        return Item.objects.filter(owner=self.request.user)

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)
"""
CCD_TOKEN = """
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
user = get_user_model().objects.create_user(username="bench", email="bench@example.com", password=None)
print(Token.objects.create(user=user).key)
"""


@dataclass
class Target:
    """One server under load: where each scenario's request goes and what it sends."""

    server: Server
    label: str
    headers: dict[str, str]
    paths: dict[str, str]
    post_body: dict[str, object] | None = None
    runs: dict[str, list[Run]] = field(default_factory=dict)


def run(command: list[str], *, cwd: Path, env: dict[str, str], what: str) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{what} failed (exit {result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def peer_python(wanted: str, given: str | None) -> str:
    """The interpreter for the peer: --peer-python, else python<wanted> from pyenv or PATH, else the newest here."""
    if given:
        return given
    pyenv = Path.home() / ".pyenv" / "versions"
    for version in (wanted, "3.13", "3.12"):
        for candidate in [*sorted(pyenv.glob(f"{version}.*"), reverse=True)]:
            if (candidate / "bin" / f"python{version}").exists():
                binary = str(candidate / "bin" / f"python{version}")
                break
        else:
            binary = shutil.which(f"python{version}") or ""
        if binary:
            if version != wanted:
                print(f"note: no Python {wanted} here (the peer requires it): the peer runs on {binary}", flush=True)
            return binary
    raise SystemExit(f"no Python {wanted}, 3.13 or 3.12 found: pass --peer-python")


def clone(source: str, ref: str | None, destination: Path) -> None:
    run(
        ["git", "clone", "--quiet", source, str(destination)], cwd=destination.parent, env=clean_env(), what="git clone"
    )
    if ref:
        run(["git", "checkout", "--quiet", ref], cwd=destination, env=clean_env(), what=f"git checkout {ref}")
    commit = run(["git", "log", "-1", "--format=%h %cs %s"], cwd=destination, env=clean_env(), what="git log")
    print(f"peer at {commit.strip()}", flush=True)


def venv(path: Path, python: str, requirements: Path) -> str:
    env = clean_env(UV_PYTHON_DOWNLOADS="never")
    run([uv_binary(), "venv", "--quiet", "-p", python, str(path)], cwd=path.parent, env=env, what="uv venv")
    interpreter = str(path / "bin" / "python")
    command = [uv_binary(), "pip", "install", "--quiet", "--python", interpreter, "-r", str(requirements)]
    run(command, cwd=path.parent, env=env, what=f"installing {requirements.name}")
    return interpreter


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url}: the server exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            status, _ = http("GET", url, {})
            if status == 200:
                return
        time.sleep(0.1)
    raise SystemExit(f"{url} did not answer 200 within {timeout} s:\n{log.read_text()[-3000:]}")


def http(method: str, url: str, headers: dict[str, str], body: bytes | None = None) -> tuple[int, bytes]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def post_json(url: str, headers: dict[str, str], body: dict[str, object]) -> dict[str, object]:
    status, answer = http("POST", url, {**headers, "Content-Type": "application/json"}, json.dumps(body).encode())
    if status not in (200, 201):
        raise SystemExit(f"POST {url} answered {status}: {answer[:500]!r}")
    return dict(json.loads(answer))


@contextlib.contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """A throwaway Redis for cookiecutter-django's production cache."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("cookiecutter-django's production settings use Redis: apt-get install -y redis-server")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(command, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def cookiecutter_django(
    args: argparse.Namespace, workdir: Path, database_url: str, core: int | None
) -> Iterator[Target]:
    source = workdir / "peer-source"
    clone(args.peer_source or SOURCES["django"], args.peer_ref, source)
    command = [uv_binary(), "tool", "run", "--quiet", "cookiecutter", "--no-input", "--accept-hooks", "no"]
    answers = ["project_name=peer", "rest_api=DRF", "cloud_provider=None", "mail_service=Other SMTP"]
    answers += ["use_whitenoise=y", "use_docker=n", "use_celery=n", "use_sentry=n"]
    run([*command, "-o", str(workdir), str(source), *answers], cwd=workdir, env=clean_env(), what="cookiecutter")
    project = workdir / "peer"
    wanted = (project / ".python-version").read_text().strip() if (project / ".python-version").exists() else "3.13"
    python = venv(project / ".venv", peer_python(wanted, args.peer_python), project / "requirements" / "production.txt")
    items = project / "peer" / "items"
    items.mkdir()
    (items / "__init__.py").write_text("")
    (items / "models.py").write_text(CCD_MODELS)
    (items / "views.py").write_text(CCD_VIEWS)
    replace(project / "config" / "settings" / "base.py", "LOCAL_APPS = [\n", 'LOCAL_APPS = [\n    "peer.items",\n')
    replace(
        project / "config" / "api_router.py",
        'router.register("users", UserViewSet)\n',
        'router.register("users", UserViewSet)\nrouter.register("items", ItemViewSet, basename="item")\n',
    )
    replace(
        project / "config" / "api_router.py",
        "from peer.users.api.views import UserViewSet\n",
        "from peer.items.views import ItemViewSet\nfrom peer.users.api.views import UserViewSet\n",
    )
    replace(
        project / "config" / "urls.py",
        "urlpatterns = [\n",
        'from django.http import JsonResponse\n\nurlpatterns = [\n    path("health/live", lambda request: '
        'JsonResponse({"status": "ok"})),\n',
    )
    with redis_server(workdir) as redis_url:
        env = clean_env(
            DJANGO_SETTINGS_MODULE="config.settings.production",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ADMIN_URL="admin/",
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SECURE_SSL_REDIRECT="False",
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            PYTHONDONTWRITEBYTECODE="1",
        )
        manage = [python, "manage.py"]
        run([*manage, "makemigrations", "items"], cwd=project, env=env, what="makemigrations items")
        run([*manage, "migrate", "--no-input"], cwd=project, env=env, what="migrate")
        token = run([*manage, "shell", "-c", CCD_TOKEN], cwd=project, env=env, what="a user's token").split()[-1]
        port = free_port()
        gunicorn = [str(project / ".venv" / "bin" / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}"]
        server = start("peer", gunicorn, cwd=project, env={**env, "PORT": str(port)}, logs=workdir, core=core)
        try:
            wait_for(server.url("/health/live"), server.process, server.log_path)
            headers = {"Authorization": f"Token {token}"}
            item = post_json(server.url("/api/items/"), headers, ITEM)
            paths = {"GET item": f"/api/items/{item['id']}/", "POST item": "/api/items/", "liveness": "/health/live"}
            yield Target(server, PEER_NAMES["django"], headers, paths, ITEM)
        finally:
            stop(server)


@contextlib.contextmanager
def full_stack_fastapi(
    args: argparse.Namespace, workdir: Path, database_url: str, core: int | None
) -> Iterator[Target]:
    source = workdir / "peer-source"
    clone(args.peer_source or SOURCES["fastapi"], args.peer_ref, source)
    backend = source / "backend"
    requirements = workdir / "peer-requirements.txt"
    export = [uv_binary(), "export", "--frozen", "--no-dev", "--no-hashes", "--package", "app", "--no-emit-project"]
    run([*export, "-o", str(requirements)], cwd=source, env=clean_env(), what="uv export")
    wanted = re.search(r'requires-python = ">=(3\.\d+)', (backend / "pyproject.toml").read_text())
    python = peer_python(wanted.group(1) if wanted else "3.13", args.peer_python)
    interpreter = venv(workdir / "peer-venv", python, requirements)
    version = run([interpreter, "-c", "import sys; print(sys.version_info[1])"], cwd=workdir, env=clean_env(), what="")
    if int(version) < 14:
        for path in (backend / "app").rglob("*.py"):
            text = path.read_text()
            rewritten = re.sub(r"except ([\w.]+(?:, [\w.]+)+):", r"except (\1):", text)
            # 3.14 evaluates annotations lazily: a relationship may name a model defined below it.
            rewritten = re.sub(r"list\[(\w+)\] = Relationship\(", r'list["\1"] = Relationship(', rewritten)
            if rewritten != text:
                path.write_text(rewritten)
    (source / ".env").write_text("")  # its committed .env says FASTAPI_ENV=development
    (backend / "app" / "frontend").mkdir(exist_ok=True)
    password = secrets.token_urlsafe(16)
    env = clean_env(
        PROJECT_NAME="Peer",
        SECRET_KEY=secrets.token_urlsafe(32),
        DATABASE_URL=database_url,
        FIRST_SUPERUSER="admin@example.com",
        FIRST_SUPERUSER_PASSWORD=password,
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONPATH=str(backend),  # its image installs the backend as the package `app`
        PATH=f"{Path(interpreter).parent}:{clean_env()['PATH']}",
    )
    run([interpreter, "-m", "alembic", "upgrade", "head"], cwd=backend, env=env, what="alembic upgrade head")
    run([interpreter, "app/initial_data.py"], cwd=backend, env=env, what="initial data")
    port = free_port()
    command = [str(Path(interpreter).parent / "fastapi"), "run", "app/main.py", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "1"]
    server = start("peer", command, cwd=backend, env={**env, "PORT": str(port)}, logs=workdir, core=core)
    try:
        wait_for(server.url("/api/v1/utils/health-check/"), server.process, server.log_path)
        user = {"email": "bench@example.com", "password": secrets.token_urlsafe(16), "full_name": "Bench"}
        post_json(server.url("/api/v1/users/signup"), {}, user)
        form = urllib.parse.urlencode({"username": user["email"], "password": user["password"]}).encode()
        form_headers = {"Content-Type": "application/x-www-form-urlencoded"}
        status, answer = http("POST", server.url("/api/v1/login/access-token"), form_headers, form)
        if status != 200:
            raise SystemExit(f"the peer's login answered {status}: {answer[:300]!r}")
        headers = {"Authorization": f"Bearer {json.loads(answer)['access_token']}"}
        body: dict[str, object] = {"title": ITEM["name"], "description": ITEM["description"]}
        item = post_json(server.url("/api/v1/items/"), headers, body)
        paths = {
            "GET item": f"/api/v1/items/{item['id']}",
            "POST item": "/api/v1/items/",
            "liveness": "/api/v1/utils/health-check/",
        }
        yield Target(server, PEER_NAMES["fastapi"], headers, paths, body)
    finally:
        stop(server)


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    if old not in text:
        raise SystemExit(f"{path.name} of the peer changed: {old!r} is not in it (pass --peer-ref of an older one)")
    path.write_text(text.replace(old, new, 1))


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process and its descendants (gunicorn's worker, not only its arbiter)."""
    from middleware import cpu_seconds

    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError):
            total += cpu_seconds(current)
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
    return total


def load(
    target: Target, scenario: str, method: str, connections: int, seconds: float, core: int | None, scripts: Path
) -> Run:
    duration = max(1, round(seconds))
    headers = [part for name, value in target.headers.items() for part in ("-H", f"{name}: {value}")]
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s", *headers]
    if method == "POST":
        script = scripts / f"{target.server.name}.lua"
        body = json.dumps(json.dumps(target.post_body))
        script.write_text(f'wrk.method = "POST"\nwrk.body = {body}\nwrk.headers["Content-Type"] = "application/json"\n')
        command += ["-s", str(script)]
    before = tree_cpu_seconds(target.server.process.pid)
    result = subprocess.run(
        pinned(core, [*command, target.server.url(target.paths[scenario])]), capture_output=True, text=True, check=False
    )
    cpu = tree_cpu_seconds(target.server.process.pid) - before
    if result.returncode != 0:
        raise SystemExit(f"wrk failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    measured = parse_wrk(result.stdout)
    # A server that answers nothing in a run (stalled: all its threads waiting on its pool) has no CPU per request.
    measured.cpu_us_per_request = cpu / measured.requests * 1e6 if measured.requests else float("nan")
    measured.cpu_share = cpu / duration
    return measured


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__)
    parser.add_argument("--framework", choices=sorted(SOURCES), default="django")
    parser.add_argument("--peer-source", help="the peer's repository: a URL or a local clone (default: its GitHub)")
    parser.add_argument("--peer-ref", help="a commit or tag of the peer (default: its default branch)")
    parser.add_argument("--peer-python", help="the peer's interpreter (default: its required version, if found)")
    load_arguments(parser, runs=3, duration=5, warmup=1, no_pin=False)
    render_arguments(parser)
    output_arguments(parser)
    args = parser.parse_args(argv)
    args.no_pin = False
    args.more_databases = ("peer",)
    require_tools("wrk", "taskset", "git")
    print(machine_description(), flush=True)
    with scratch_directory("bench-peers-", keep=args.keep) as workdir:
        project = prepare_project(args, workdir)
        logs = workdir / "logs"
        logs.mkdir()
        with running_servers(project, args, logs, args.framework) as (servers, item_id):
            peer_setup = cookiecutter_django if args.framework == "django" else full_stack_fastapi
            ours = {server.name: server for server in servers}
            rendered_paths = {
                "GET item": f"/api/v1/items/{item_id}",
                "POST item": "/api/v1/items",
                "liveness": "/health/live",
            }
            reads = {key: path for key, path in rendered_paths.items() if key != "POST item"}
            targets = [Target(ours["rendered"], "rendered service", dict(AUTH_HEADERS), reads)]
            writer = unlimited_twin(ours["rendered"], logs, args.server_core)
            writes = {"POST item": rendered_paths["POST item"]}
            targets.append(Target(writer, "rendered service", dict(AUTH_HEADERS), writes, ITEM))
            if args.framework == "fastapi":
                floor_paths = {"GET item": f"/api/v1/items/{item_id}", "liveness": "/health/live"}
                targets.append(Target(ours["floor1"], "floor1 (one asyncpg read)", {}, floor_paths))
            for name, server in ours.items():  # the other comparison apps stay idle: stop them
                if name not in {target.server.name for target in targets}:
                    stop(server)
            peer_database = args.database_urls["BENCH_DATABASE_URL_PEER"]
            try:
                with peer_setup(args, workdir, peer_database, args.server_core) as peer:
                    targets.append(peer)
                    measure(targets, args, workdir)
            finally:
                stop(writer)
        report(targets, args)
    return 0


def unlimited_twin(rendered: Server, logs: Path, core: int | None) -> Server:
    """The rendered service again, with its rate limit off, for the POST runs: item writes have their own budget of
    30 a minute per client, which a load test spends in a fraction of a second (the peers limit nothing). Started
    with the first one's command line and environment, read from /proc."""
    command = Path(f"/proc/{rendered.process.pid}/cmdline").read_bytes().rstrip(b"\0").decode().split("\0")
    variables = Path(f"/proc/{rendered.process.pid}/environ").read_bytes().rstrip(b"\0").decode().split("\0")
    env = dict(variable.split("=", 1) for variable in variables)
    env.update(PORT=str(free_port()), RATE_LIMIT_ENABLED="false")
    twin = start(
        "rendered-writes",
        command,
        cwd=Path(f"/proc/{rendered.process.pid}/cwd").resolve(),
        env=env,
        logs=logs,
        core=core,
    )
    wait_for(twin.url("/health/live"), twin.process, twin.log_path)
    return twin


def scenario_key(scenario: str, connections: int) -> str:
    return f"{scenario}, {connections} connections"


def measure(targets: list[Target], args: argparse.Namespace, workdir: Path) -> None:
    for scenario, method, connections in SCENARIOS:
        key = scenario_key(scenario, connections)
        print(f"\n{key}", flush=True)
        present = [target for target in targets if scenario in target.paths and (method == "GET" or target.post_body)]
        for target in present:
            target.runs[key] = []
            if args.warmup > 0:
                load(target, scenario, method, connections, args.warmup, args.wrk_core, workdir)
            count_lines_and_truncate(target.server.log_path)
        for round_number in range(args.runs):
            shift = round_number % len(present)
            for target in present[shift:] + present[:shift]:
                measured = load(target, scenario, method, connections, args.duration, args.wrk_core, workdir)
                if measured.non_2xx or measured.socket_errors:
                    raise SystemExit(
                        f"{target.label}: {measured.non_2xx} non-2xx answers, {measured.socket_errors} socket errors:\n"
                        f"{log_tail(target.server, 8)}"
                    )
                count_lines_and_truncate(target.server.log_path)
                target.runs[key].append(measured)
                print(
                    f"  round {round_number + 1} {target.label:<28} {measured.requests_per_s:>8.0f} req/s  "
                    f"p50 {measured.p50_ms:.2f} ms  p99 {measured.p99_ms:.2f} ms  "
                    f"CPU {measured.cpu_us_per_request:.0f} us/req ({measured.cpu_share:.0%} of a core)",
                    flush=True,
                )


def report(targets: list[Target], args: argparse.Namespace) -> None:
    print(
        f"\nMedian of {args.runs} interleaved runs of {args.duration:g} s; server on core {args.server_core}, "
        f"wrk on core {args.wrk_core}. {machine_description()}"
    )
    results: dict[str, dict[str, dict[str, float]]] = {}
    for scenario, _, connections in SCENARIOS:
        key = scenario_key(scenario, connections)
        print(f"\n{key}")
        results[key] = {target.label: medians(target.runs[key]) for target in targets if target.runs.get(key)}
        print_table(results[key], SERVER_COLUMNS, label="app", width=28, indent="  ")
        ours = results[key].get("rendered service")
        for other in {target.label for target in targets} - {"rendered service"}:
            if ours and other in results[key]:
                theirs = results[key][other]
                if not theirs["requests_per_s"]:
                    print(f"  {other} answered nothing within the runs (stalled): no ratio")
                    continue
                print(
                    f"  rendered / {other}: {ours['requests_per_s'] / theirs['requests_per_s']:.2f}x req/s, "
                    f"{ours['cpu_us_per_request'] / theirs['cpu_us_per_request']:.2f}x CPU per request"
                )
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine_description(), "results": results}, indent=2))


if __name__ == "__main__":
    raise SystemExit(main())
