"""Middleware overhead: the rendered service against the bare framework (and, for FastAPI, a BaseHTTPMiddleware app).

Renders the default variant (or uses --project), installs it with `uv sync --no-dev`, starts the servers under
identical uvicorn options, each pinned to one core (`taskset -c 1`), and loads them with wrk pinned to the other
(`taskset -c 0`), interleaving the apps run by run. Prints median req/s, p50/p99 latency and the ratios.

    uv run python bench/middleware.py                       # 5 runs x 10 s per app and endpoint
    uv run python bench/middleware.py --framework django    # the Django variant against bare DRF
    uv run python bench/middleware.py --duration 1 --runs 1 --warmup 0   # smoke run
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    DEPLOYED_MAIL,
    SERVER_COLUMNS,
    bench_parser,
    clean_env,
    load_arguments,
    load_tools,
    machine_description,
    medians,
    output_arguments,
    print_table,
    python_interpreter,
    render,
    render_arguments,
    scratch_directory,
    uv_binary,
)

APPS_DIR = Path(__file__).resolve().parent / "apps"
sys.path.insert(0, str(APPS_DIR))

# A limit no benchmark reaches (the limiter stays on: its cost is part of the stack). Per second, so that a limiter
# keeping one entry per request in its window holds a second's worth, not minutes'. Unknown variables are ignored by
# the service's settings (extra="ignore").
GENEROUS_ENV = {
    "RATE_LIMIT_ENABLED": "true",
    "RATE_LIMIT_DEFAULT": "1000000/second",
    "RATE_LIMIT_FAIL_OPEN": "true",
}
CORS_ORIGIN = "https://app.example.com"


@dataclass(frozen=True)
class Framework:
    """What differs between the frameworks: the comparison apps (server name -> module in apps/, label)."""

    others: dict[str, tuple[str, str]]
    bare_module: str
    """The bare app the floor app wraps."""
    extra_env: dict[str, dict[str, str]] = field(default_factory=dict)
    """Environment of one comparison app only (server name -> variables)."""

    def label(self, name: str) -> str:
        return "rendered service" if name == "rendered" else self.others[name][1]


FRAMEWORKS = {
    "fastapi": Framework(
        others={
            "bare": ("bare", "bare FastAPI"),
            "basehttp": ("basehttp", "BaseHTTPMiddleware style"),
            "floor": ("floor", "bare + contract headers"),
            "floor1": ("floor", "floor, one asyncpg round trip"),
        },
        bare_module="bare",
        extra_env={"floor1": {"BENCH_READER": "asyncpg"}},
    ),
    # Nobody writes Django middleware as BaseHTTPMiddleware: no third app.
    "django": Framework(
        others={"bare": ("drf_bare", "bare DRF"), "floor": ("floor", "bare DRF + contract headers")},
        bare_module="drf_bare",
    ),
}


@dataclass
class Run:
    requests_per_s: float
    cpu_us_per_request: float
    cpu_share: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    runs: dict[str, list[Run]] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The Authorization header every request carries when the rendered service verifies bearer tokens (auth=jwt): set
# once its token is minted (`bearer_token`). The comparison apps ignore it; wrk sends it to every app alike.
AUTH_HEADERS: dict[str, str] = {}


def request(
    url: str, *, method: str = "GET", body: dict[str, object] | None = None
) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", **AUTH_HEADERS}
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=5) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


def wait_until_live(server: Server, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"{server.name} exited with {server.process.returncode}:\n{log_tail(server)}")
        with contextlib.suppress(OSError):
            if request(server.url("/health/live"))[0] == 200:
                return
        time.sleep(0.1)
    raise SystemExit(f"{server.name} did not answer /health/live within {timeout} s:\n{log_tail(server)}")


def log_tail(server: Server, lines: int = 30) -> str:
    """The end of a server's output, for error messages (the temporary directory is gone once the harness exits)."""
    try:
        return "\n".join(server.log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no output)"


def pinned(core: int | None, command: list[str]) -> list[str]:
    return ["taskset", "-c", str(core), *command] if core is not None else command


def start(name: str, command: list[str], *, cwd: Path, env: dict[str, str], logs: Path, core: int | None) -> Server:
    log_path = logs / f"{name}.log"
    # O_APPEND: the harness truncates the file between runs while the server keeps writing at the end.
    log_file = log_path.open("ab")
    process = subprocess.Popen(
        pinned(core, command), cwd=cwd, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
    )
    log_file.close()
    return Server(name, int(env["PORT"]), process, log_path)


def stop(server: Server) -> None:
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"unexpected wrk duration {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> Run:
    def number(pattern: str) -> float:
        match = re.search(pattern, output, re.MULTILINE)
        return float(match.group(1)) if match else 0.0

    # wrk pads some values with a trailing space ("99%    1.38s ").
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    if "Requests/sec" not in output or len(percentiles) < 2:
        raise SystemExit(f"could not read wrk's output:\n{output}")
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return Run(
        requests_per_s=number(r"^Requests/sec:\s+([\d.]+)"),
        cpu_us_per_request=0.0,
        cpu_share=0.0,
        p50_ms=parse_duration_ms(percentiles["50"]),
        p99_ms=parse_duration_ms(percentiles["99"]),
        requests=int(number(r"^\s+(\d+) requests in")),
        non_2xx=int(number(r"Non-2xx or 3xx responses: (\d+)")),
        socket_errors=sum(int(value) for value in errors.groups()) if errors else 0,
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads included (the threadpool counts too)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url: str, *, duration: float, connections: int, core: int | None, server_pid: int) -> Run:
    seconds = max(1, round(duration))
    headers = [part for name, value in AUTH_HEADERS.items() for part in ("-H", f"{name}: {value}")]
    command = pinned(
        core, ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s", *headers, url]
    )
    cpu_before = cpu_seconds(server_pid)
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    cpu = cpu_seconds(server_pid) - cpu_before
    if result.returncode != 0:
        raise SystemExit(f"wrk failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    run = parse_wrk(result.stdout)
    # CPU per request barely moves when other processes share the machine, unlike req/s: it is the steadier figure.
    run.cpu_us_per_request = cpu / max(run.requests, 1) * 1e6
    run.cpu_share = cpu / seconds
    return run


def count_lines_and_truncate(path: Path) -> int:
    with path.open("rb") as handle:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    os.truncate(path, 0)
    return lines


def package_name(project: Path) -> str:
    answers = (project / ".copier-answers.yml").read_text()
    match = re.search(r"^package_name:\s*(\S+)", answers, re.MULTILINE)
    if match:
        return match.group(1)
    name = tomllib.loads((project / "pyproject.toml").read_text())["project"]["name"]
    return str(name).replace("-", "_")


def framework_of(project: Path) -> str:
    """The rendered project's framework (projects rendered before the question existed are FastAPI)."""
    answers = (project / ".copier-answers.yml").read_text()
    match = re.search(r"^framework:\s*(\S+)", answers, re.MULTILINE)
    return match.group(1) if match else "fastapi"


def prepare_project(args: argparse.Namespace, workdir: Path) -> Path:
    if args.project:
        project = Path(args.project).resolve()
    else:
        project = workdir / "rendered"
        print(f"rendering the template at {args.vcs_ref} into {project}", flush=True)
        answers = dict(item.split("=", 1) for item in args.data)
        if getattr(args, "framework", None):
            answers.setdefault("framework", args.framework)
        render(project, answers, args.vcs_ref)
    if not (args.project and (project / ".venv" / "bin" / "python").exists()):
        # Not installed yet (an installed one may have dev tools too: the runtime dependencies are the same).
        version = (project / ".python-version").read_text().strip()
        env = clean_env(UV_PYTHON=python_interpreter(version))
        print("installing it: uv sync --no-dev", flush=True)
        subprocess.run([uv_binary(), "sync", "--no-dev", "--quiet"], cwd=project, env=env, check=True)
    if answer(project, "server") == "granian":
        # The comparison apps run on uvicorn whatever serves the rendered app: the targets compare with bare
        # FastAPI on uvicorn. Installed beside granian, outside the project's lock.
        print("installing uvicorn for the comparison apps", flush=True)
        python = str(project / ".venv" / "bin" / "python")
        command = [uv_binary(), "pip", "install", "--quiet", "--python", python, "uvicorn[standard]>=0.54,<0.55"]
        subprocess.run(command, cwd=project, env=clean_env(), check=True)
    return project


# Framing headers every app sends anyway; the rest of the rendered service's headers are what the floor app adds.
_FRAMING = {"content-type", "content-length", "date", "connection", "transfer-encoding", "keep-alive"}


def verify_rendered(server: Server) -> tuple[str, list[tuple[str, str]]]:
    """Create the item the runs read, and check the production stack is really in place (headers, JSON log).

    Returns the item id and the headers the service adds to a response (for the floor app)."""
    from fixtures import ITEM_BODY

    status, headers, body = request(server.url("/api/v1/items"), method="POST", body=ITEM_BODY)
    if status != 201:
        raise SystemExit(f"POST /api/v1/items answered {status}: {body[:500]!r}")
    item_id = json.loads(body)["id"]
    status, headers, _ = request(server.url(f"/api/v1/items/{item_id}"))
    lowered = {name.lower() for name in headers}
    missing = {"strict-transport-security", "x-request-id", "server-timing", "content-security-policy"} - lowered
    if status != 200 or missing:
        raise SystemExit(f"the rendered service is not in production shape: status {status}, missing {missing}")
    time.sleep(0.2)
    last = server.log_path.read_text().strip().splitlines()[-1]
    try:
        line = json.loads(last)
    except json.JSONDecodeError:
        raise SystemExit(f"the rendered service's log is not JSON: {last!r}") from None
    if line.get("status") != 200 or not line.get("request_id"):
        raise SystemExit(f"no JSON access line for the request: {last!r}")
    return str(item_id), [(name, value) for name, value in headers.items() if name.lower() not in _FRAMING]


def verify_same_shape(servers: list[Server], paths: dict[str, dict[str, str]]) -> None:
    bodies = {}
    for server in servers:
        for endpoint, path in paths[server.name].items():
            status, _, body = request(server.url(path))
            if status != 200:
                raise SystemExit(f"{server.name} answered {status} on {path}")
            bodies[(server.name, endpoint)] = sorted(json.loads(body))
    for (name, endpoint), keys in bodies.items():
        if keys != bodies[("rendered", endpoint)]:
            raise SystemExit(
                f"{name} {endpoint} returns keys {keys}, the rendered service {bodies['rendered', endpoint]}"
            )


def answer(project: Path, question: str) -> str | None:
    match = re.search(rf"^{question}:\s*(\S+)", (project / ".copier-answers.yml").read_text(), re.MULTILINE)
    return match.group(1) if match else None


def bearer_token(project: Path, env: dict[str, str]) -> str:
    """A token the rendered service accepts, from its own `python -m <package> token` (signed with AUTH_JWT_SECRET)."""
    command = [str(project / ".venv" / "bin" / "python"), "-m", package_name(project), "token", "--lifetime", "86400"]
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0:
        raise SystemExit(f"-m {package_name(project)} token failed (exit {result.returncode}):\n{result.stderr}")
    return result.stdout.strip()


def run_package(project: Path, env: dict[str, str], *arguments: str, code: str | None = None) -> str:
    """What `python -m <package> ARGUMENTS` (or `python -c CODE`) prints in the rendered project's venv."""
    command = [str(project / ".venv" / "bin" / "python"), *(["-c", code] if code else ["-m", package_name(project)])]
    result = subprocess.run(
        [*command, *arguments], cwd=project, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    if result.returncode != 0:
        raise SystemExit(
            f"{' '.join(command[1:])} {' '.join(arguments)} failed ({result.returncode}):\n{result.stderr}"
        )
    return result.stdout.strip()


OWN_TOKEN = """
import os, time, uuid
from {package}.core.accounts.keys import SigningKeys
now = int(time.time())
claims = {{"iss": os.environ["AUTH_ISSUER"], "aud": os.environ["AUTH_AUDIENCE"], "sub": "bench-client",
          "scope": "items:read items:write operations:read", "iat": now, "exp": now + 86400, "jti": uuid.uuid4().hex}}
print(SigningKeys.from_text(os.environ["AUTH_SIGNING_KEYS"]).sign(claims))
"""


def own_access_token(project: Path, env: dict[str, str]) -> str:
    """An access token of an `auth=users` service, signed by its own key code with the key set in `env` (what its
    token endpoint hands out after a login, without the login)."""
    return run_package(project, env, code=OWN_TOKEN.format(package=package_name(project)))


def migrate(project: Path, env: dict[str, str], framework: str) -> None:
    """Production does not migrate at start: run the deploy step on the temporary database (`python -m <package>
    migrate`; renders from before the `database` question: Django's `manage.py migrate`, FastAPI had no database)."""
    python = str(project / ".venv" / "bin" / "python")
    if answer(project, "database") is not None:
        command = [python, "-m", package_name(project), "migrate"]
    elif framework == "django":
        command = [python, "manage.py", "migrate", "--no-input"]
    else:
        return
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        step = " ".join(command[1:])
        raise SystemExit(f"{step} failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")


@contextlib.contextmanager
def database_for(project: Path, workdir: Path, also: tuple[str, ...] = ()) -> Iterator[dict[str, str]]:
    """The environment naming the database every app reads: a throwaway PostgreSQL cluster (the rendered project's
    own tests/postgres_cluster.py) for database=postgresql, a SQLite file otherwise. `also` names more databases on
    the same cluster (PostgreSQL only), yielded as `BENCH_DATABASE_URL_<NAME>`: a peer service reads its own."""
    engine = answer(project, "database")
    sqlite_file = str(workdir / "db.sqlite3")
    if engine is None:  # a render from before the `database` question
        yield {"DATABASE_PATH": sqlite_file}
        return
    if engine == "sqlite":
        yield {"DATABASE_URL": f"sqlite:///{sqlite_file}"}
        return
    cluster_module = project / "tests" / "postgres_cluster.py"
    spec = importlib.util.spec_from_file_location("bench_postgres_cluster", cluster_module)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {cluster_module}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if module.server_binaries() is None:
        raise SystemExit("database=postgresql needs PostgreSQL's server binaries (Debian: apt-get install postgresql)")
    with module.PostgresCluster() as cluster:
        more = {f"BENCH_DATABASE_URL_{name.upper()}": cluster.create_database(name) for name in also}
        yield {"DATABASE_URL": cluster.create_database("bench"), **more}


@contextlib.contextmanager
def running_servers(
    project: Path, args: argparse.Namespace, logs: Path, framework: str
) -> Iterator[tuple[list[Server], str]]:
    """Start the rendered service, check it, then the comparison apps; yields them and the rendered item's id."""
    with contextlib.ExitStack() as stack:
        yield from _running_servers(stack, project, args, logs, framework)


def _running_servers(
    stack: contextlib.ExitStack, project: Path, args: argparse.Namespace, logs: Path, framework: str
) -> Iterator[tuple[list[Server], str]]:
    python = str(project / ".venv" / "bin" / "python")
    base_env = clean_env(PYTHONDONTWRITEBYTECODE="1", HOST="127.0.0.1")
    rendered_env = {
        **base_env,
        **GENEROUS_ENV,
        **DEPLOYED_MAIL,
        "ENVIRONMENT": "production",
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
        "CORS_ORIGINS": CORS_ORIGIN,
        "DOCS_ENABLED": "false",
    }
    # Every app reads the same database (a fresh one, migrated like a deploy does: production never migrates itself).
    database_env = stack.enter_context(database_for(project, logs.parent, getattr(args, "more_databases", ())))
    # The peers' databases, for the caller (bench/peers.py); not in any app's environment.
    args.database_urls = {name: database_env.pop(name) for name in list(database_env) if name.startswith("BENCH_")}
    rendered_env.update(database_env, MIGRATE_ON_START="false")
    comparison_env = {
        **base_env,
        **database_env,
        "BENCH_PACKAGE": package_name(project),
        "FLOOR_BASE": FRAMEWORKS[framework].bare_module,
    }
    if framework == "django":
        rendered_env.update(SECRET_KEY=secrets.token_urlsafe(64))  # production refuses the development key
    if answer(project, "auth") == "jwt":
        # Production needs a token key: an HMAC secret here, and one token repeated by every request, as a client
        # holding its access token does (the verifier remembers it: the figure is the cached path).
        rendered_env.update(
            AUTH_JWT_SECRET=secrets.token_hex(32),
            AUTH_ISSUER="https://login.bench.example/",
            AUTH_AUDIENCE="https://api.bench.example",
        )
        AUTH_HEADERS["Authorization"] = f"Bearer {bearer_token(project, rendered_env)}"
    elif answer(project, "auth") == "users":
        # Production needs the service's signing keys: a set from its own `signing-key` command, and one access token
        # signed with them, repeated by every request (the cached path, as above).
        rendered_env.update(AUTH_ISSUER="urn:bench", AUTH_AUDIENCE="urn:bench:api")
        rendered_env["AUTH_SIGNING_KEYS"] = run_package(project, rendered_env, "signing-key")
        AUTH_HEADERS["Authorization"] = f"Bearer {own_access_token(project, rendered_env)}"
    rendered_env.update(dict(item.split("=", 1) for item in args.env))
    rendered_env.pop("SENTRY_DSN", None)
    rendered_env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    migrate(project, rendered_env, framework)
    core = None if args.no_pin else args.server_core
    servers: list[Server] = []
    try:
        port = free_port()
        rendered = start(
            "rendered",
            [python, "-m", package_name(project)],
            cwd=project,
            env={**rendered_env, "PORT": str(port)},
            logs=logs,
            core=core,
        )
        servers.append(rendered)
        wait_until_live(rendered)
        item_id, added_headers = verify_rendered(rendered)
        for name, (module, _) in FRAMEWORKS[framework].others.items():
            port = free_port()
            command = [python, str(APPS_DIR / "serve.py"), str(APPS_DIR / f"{module}.py"), str(port)]
            env = {**comparison_env, "PORT": str(port), "FLOOR_HEADERS": json.dumps(added_headers)}
            env.update(FRAMEWORKS[framework].extra_env.get(name, {}))
            servers.append(start(name, command, cwd=project, env=env, logs=logs, core=core))
        for server in servers:
            wait_until_live(server)
        yield servers, item_id
    finally:
        for server in servers:
            stop(server)


def summarise(servers: list[Server], endpoints: list[str]) -> dict[str, dict[str, dict[str, float]]]:
    summary: dict[str, dict[str, dict[str, float]]] = {}
    for endpoint in endpoints:
        summary[endpoint] = {}
        for server in servers:
            runs = server.runs[endpoint]
            summary[endpoint][server.name] = {**medians(runs), "runs": len(runs)}
    return summary


def ratios_of(summary: dict[str, dict[str, dict[str, float]]]) -> dict[str, dict[str, dict[str, float]]]:
    """rendered/other throughput, from req/s and from CPU per request (other's CPU / rendered's CPU)."""
    return {
        endpoint: {
            other: {
                "requests_per_s": by_app["rendered"]["requests_per_s"] / by_app[other]["requests_per_s"],
                "cpu": by_app[other]["cpu_us_per_request"] / by_app["rendered"]["cpu_us_per_request"],
            }
            for other in by_app
            if other != "rendered"
        }
        for endpoint, by_app in summary.items()
    }


def print_report(
    summary: dict[str, dict[str, dict[str, float]]], servers: list[Server], args: argparse.Namespace, framework: str
) -> None:
    ratios = ratios_of(summary)
    print()
    print(
        f"Median of {args.runs} interleaved runs of {args.duration:g} s, wrk -t1 -c{args.connections}"
        f"{'' if args.no_pin else f', server on core {args.server_core}, wrk on core {args.wrk_core}'}"
    )
    for endpoint, by_app in summary.items():
        print(f"\n{endpoint}")
        labels = {server.name: FRAMEWORKS[framework].label(server.name) for server in servers}
        print_table(
            {labels[server.name]: by_app[server.name] for server in servers},
            SERVER_COLUMNS,
            label="app",
            width=27,
            indent="  ",
            runs={labels[server.name]: [run.requests_per_s for run in server.runs[endpoint]] for server in servers},
            runs_gap="   ",
        )
        for other in ratios[endpoint]:
            print(
                f"  ratio rendered/{other + ':':<10} {ratios[endpoint][other]['requests_per_s']:.2f} by req/s, "
                f"{ratios[endpoint][other]['cpu']:.2f} by CPU per request (its inverse: what the same core serves)"
            )


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__)
    load_arguments(parser, runs=5, duration=10, warmup=3, connections=64)
    parser.add_argument(
        "--framework",
        choices=sorted(FRAMEWORKS),
        help="the variant to render (default fastapi); with --project, the project's own framework",
    )
    render_arguments(parser)
    output_arguments(parser)
    args = parser.parse_args(argv)

    load_tools(args)
    print(machine_description(), flush=True)
    with scratch_directory("bench-middleware-", keep=args.keep) as workdir:
        project = prepare_project(args, workdir)
        framework = framework_of(project)
        if args.framework and args.framework != framework:
            raise SystemExit(f"--framework {args.framework}, but {project} is a {framework} project")
        print(f"framework: {framework}", flush=True)
        logs = workdir / "logs"
        logs.mkdir()
        with running_servers(project, args, logs, framework) as (servers, item_id):
            from fixtures import ITEM_ID

            if AUTH_HEADERS:
                print(
                    "auth: jwt, every request to every app carries one bearer token (the rendered service verifies "
                    "it once, then from memory); the other apps ignore it",
                    flush=True,
                )

            shared_database = framework == "django" or answer(project, "database") is not None

            def item_of(server: Server) -> str:
                # Every app reads the rendered one's row, except the FastAPI apps of renders from before the
                # database (they hold the item in a dict).
                return item_id if server.name == "rendered" or shared_database else str(ITEM_ID)

            paths = {
                server.name: {
                    "/health/live": "/health/live",
                    "GET /api/v1/items/{id}": f"/api/v1/items/{item_of(server)}",
                }
                for server in servers
            }
            verify_same_shape(servers, paths)
            endpoints = list(paths["rendered"])
            wrk_core = None if args.no_pin else args.wrk_core
            for endpoint in endpoints:
                print(f"\n{endpoint}", flush=True)
                for server in servers:
                    server.runs[endpoint] = []
                    if args.warmup > 0:
                        wrk(
                            server.url(paths[server.name][endpoint]),
                            duration=args.warmup,
                            connections=args.connections,
                            core=wrk_core,
                            server_pid=server.process.pid,
                        )
                    count_lines_and_truncate(server.log_path)
                for round_number in range(args.runs):
                    # Rotate the order each round so that no app always runs right after another.
                    shift = round_number % len(servers)
                    for server in servers[shift:] + servers[:shift]:
                        run = wrk(
                            server.url(paths[server.name][endpoint]),
                            duration=args.duration,
                            connections=args.connections,
                            core=wrk_core,
                            server_pid=server.process.pid,
                        )
                        if run.non_2xx or run.socket_errors:
                            raise SystemExit(
                                f"{server.name}: {run.non_2xx} non-2xx responses, {run.socket_errors} socket errors "
                                f"(a rate limit reached? pass a higher one with --env):\n{log_tail(server, 5)}"
                            )
                        logged = count_lines_and_truncate(server.log_path)
                        server.runs[endpoint].append(run)
                        print(
                            f"  round {round_number + 1} {server.name:<9} {run.requests_per_s:>8.0f} req/s  "
                            f"p50 {run.p50_ms:.2f} ms  p99 {run.p99_ms:.2f} ms  "
                            f"CPU {run.cpu_us_per_request:.0f} us/req "
                            f"(server had {run.cpu_share:.0%} of a core)  log lines {logged}",
                            flush=True,
                        )
                        if server.name in ("rendered", "basehttp") and logged < run.requests * 0.95:
                            raise SystemExit(f"{server.name} logged {logged} lines for {run.requests} requests")
        summary = summarise(servers, endpoints)
        print_report(summary, servers, args, framework)
        if args.json:
            Path(args.json).write_text(
                json.dumps(
                    {
                        "machine": machine_description(),
                        "framework": framework,
                        "settings": vars(args),
                        "summary": summary,
                        "ratios": ratios_of(summary),
                        "runs": {s.name: {e: [asdict(r) for r in runs] for e, runs in s.runs.items()} for s in servers},
                    },
                    indent=2,
                )
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
