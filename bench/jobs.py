"""What the jobs cost the request path, side by side in one run, per framework, on one throwaway PostgreSQL cluster:

- **deferring a job inside a request**: `POST /api/v1/items/{id}/exports` (the operation row and its job in one
  transaction) on the `jobs=true` render as it is, against the same render with the deferral taken out
  (`apps/jobs_overlay.py no-defer`: the operation is written, no job);
- **the item route before/after jobs**: `GET /api/v1/items/{id}` on the `jobs=true` render against the `jobs=false`
  render of the same answers (each on its own database of the same cluster);
- **the event stream's NOTIFY on a write**: `POST /api/v1/items` on the `jobs=true` render as it is, against the same
  render recording no event (`apps/jobs_overlay.py no-events`: no `NOTIFY` in the write's transaction).

Real server processes in production shape (as `middleware.py` starts them; rate limiting off: the writes would
spend the items' 30/minute budget), each pinned to `--server-core`, wrk pinned to `--wrk-core`; every round runs
every pair, the order rotating, so machine load falls on both sides alike. Prints, per server, median req/s, p50/p99
and CPU per request of the service process **and of the PostgreSQL cluster** (a write's cost is largely the
database's), then each pair's ratios and the difference in CPU per request.

    uv run python bench/jobs.py                           # both frameworks, 3 rounds x 10 s per pair
    uv run python bench/jobs.py --framework django --runs 5
    uv run python bench/jobs.py --framework fastapi --jobs-project A --no-jobs-project B   # installed renders
    uv run python bench/jobs.py --runs 1 --duration 1 --warmup 0 --connections 4           # smoke run
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    DEPLOYED_MAIL,
    Column,
    bench_parser,
    clean_env,
    load_arguments,
    load_tools,
    machine_description,
    median,
    output_arguments,
    print_table,
    render_arguments,
    scratch_directory,
)
from middleware import (
    APPS_DIR,
    AUTH_HEADERS,
    CORS_ORIGIN,
    Run,
    Server,
    answer,
    bearer_token,
    count_lines_and_truncate,
    cpu_seconds,
    framework_of,
    free_port,
    log_tail,
    migrate,
    own_access_token,
    package_name,
    parse_wrk,
    pinned,
    prepare_project,
    request,
    run_package,
    start,
    stop,
    wait_until_live,
)

ITEM = {"name": "Pour-over kettle", "description": "Gooseneck, 1 litre", "price_cents": 4990, "tags": ["kitchen"]}

# wrk's request for each write (the path is in the URL; GET needs no script).
EXPORT_SCRIPT = 'wrk.method = "POST"\nwrk.body = ""\n'
CREATE_SCRIPT = (
    'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
    f"wrk.body = [[{json.dumps(ITEM, separators=(',', ':'))}]]\n"
)

# The servers of one framework: name -> (render, overlay of apps/jobs_overlay.py or None, database).
SERVERS = {
    "jobs": ("jobs", None, "with_jobs"),
    "jobs-no-defer": ("jobs", "no-defer", "with_jobs"),
    "jobs-no-events": ("jobs", "no-events", "with_jobs"),
    "no-jobs": ("no-jobs", None, "without_jobs"),
}


@dataclass(frozen=True)
class Pair:
    """One comparison: an endpoint on `measured` against `baseline` (both answer it the same way)."""

    key: str
    question: str
    endpoint: str
    measured: str
    baseline: str
    script: str | None


PAIRS = (
    Pair(
        "defer",
        "the cost of deferring a job inside a request",
        "POST /api/v1/items/{id}/exports",
        "jobs",
        "jobs-no-defer",
        EXPORT_SCRIPT,
    ),
    Pair("item", "the item route before/after jobs", "GET /api/v1/items/{id}", "jobs", "no-jobs", None),
    Pair("notify", "the event's NOTIFY on a write", "POST /api/v1/items", "jobs", "jobs-no-events", CREATE_SCRIPT),
)


@dataclass
class Measured:
    """One wrk run of one server, with the CPU its service process and the PostgreSQL cluster spent meanwhile."""

    run: Run
    database_cpu_us_per_request: float
    log_lines_per_request: float = 0.0
    """Lines the service logged per request (one JSON access line each, plus whatever the route logs)."""

    @property
    def total_cpu_us_per_request(self) -> float:
        return self.run.cpu_us_per_request + self.database_cpu_us_per_request


@dataclass
class Cluster:
    """The throwaway PostgreSQL cluster every server of a framework uses, and its postmaster (for its CPU)."""

    urls: dict[str, str]
    postmaster: int
    check_python: str = ""
    runs: dict[tuple[str, str], list[Measured]] = field(default_factory=dict)


def cluster_cpu_seconds(postmaster: int) -> float:
    """User + system CPU of the whole cluster: the postmaster, the backends and helpers it forked (their own, as
    they are now) and the children it has reaped (its cutime/cstime: a backend that closed meanwhile still counts)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        pid, parent = int(stat.parent.name), int(fields[1])
        if pid == postmaster:
            ticks += sum(int(value) for value in fields[11:15])
        elif parent == postmaster:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def postgres_cluster(project: Path) -> Iterator[Cluster]:
    """A cluster from the rendered project's own tests/postgres_cluster.py, with one database per render."""
    cluster_module = project / "tests" / "postgres_cluster.py"
    spec = importlib.util.spec_from_file_location("bench_jobs_postgres_cluster", cluster_module)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {cluster_module}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if module.server_binaries() is None:
        raise SystemExit("bench/jobs.py needs PostgreSQL's server binaries (Debian: apt-get install postgresql)")
    with module.PostgresCluster() as cluster:
        urls = {name: cluster.create_database(name) for name in ("with_jobs", "without_jobs")}
        postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
        yield Cluster(urls, postmaster)


def wrk_run(
    server: Server, path: str, *, script: Path | None, args: argparse.Namespace, cluster: Cluster, duration: float
) -> Measured:
    seconds = max(1, round(duration))
    headers = [part for name, value in AUTH_HEADERS.items() for part in ("-H", f"{name}: {value}")]
    scripted = ["-s", str(script)] if script else []
    load = ["-t1", f"-c{args.connections}", f"-d{seconds}s", "--latency", "--timeout", "5s", *headers, *scripted]
    command = pinned(None if args.no_pin else args.wrk_core, ["wrk", *load, server.url(path)])
    service_before, database_before = cpu_seconds(server.process.pid), cluster_cpu_seconds(cluster.postmaster)
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    service = cpu_seconds(server.process.pid) - service_before
    database = cluster_cpu_seconds(cluster.postmaster) - database_before
    if result.returncode != 0:
        raise SystemExit(f"wrk failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    run = parse_wrk(result.stdout)
    if run.non_2xx or run.socket_errors:
        raise SystemExit(
            f"{server.name} {path}: {run.non_2xx} non-2xx answers, {run.socket_errors} socket errors:\n"
            f"{log_tail(server, 10)}"
        )
    requests = max(run.requests, 1)
    run.cpu_us_per_request = service / requests * 1e6
    run.cpu_share = service / seconds
    return Measured(run, database / requests * 1e6)


def service_env(project: Path, database_url: str, shared: dict[str, str], extra: list[str]) -> dict[str, str]:
    """Production shape, as middleware.py runs the service, on `database_url`; `shared`: the token keys."""
    env = {
        **clean_env(PYTHONDONTWRITEBYTECODE="1", HOST="127.0.0.1"),
        **DEPLOYED_MAIL,
        "ENVIRONMENT": "production",
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
        "CORS_ORIGINS": CORS_ORIGIN,
        "DOCS_ENABLED": "false",
        "MIGRATE_ON_START": "false",
        "RATE_LIMIT_ENABLED": "false",
        "DATABASE_URL": database_url,
        **shared,
    }
    env.pop("SENTRY_DSN", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.update(dict(item.split("=", 1) for item in extra))
    return env


def token_keys(project: Path) -> dict[str, str]:
    """Settings both renders share so that one bearer token (set in AUTH_HEADERS) is good on every server."""
    keys = {"SECRET_KEY": secrets.token_urlsafe(64)}  # Django's production refuses the development key
    auth = answer(project, "auth")
    env = clean_env(PYTHONDONTWRITEBYTECODE="1")
    if auth == "jwt":
        keys.update(
            AUTH_JWT_SECRET=secrets.token_hex(32),
            AUTH_ISSUER="https://login.bench.example/",
            AUTH_AUDIENCE="https://api.bench.example",
        )
        AUTH_HEADERS["Authorization"] = f"Bearer {bearer_token(project, {**env, **keys})}"
    elif auth == "users":
        keys.update(AUTH_ISSUER="urn:bench", AUTH_AUDIENCE="urn:bench:api")
        keys["AUTH_SIGNING_KEYS"] = run_package(project, {**env, **keys}, "signing-key")
        AUTH_HEADERS["Authorization"] = f"Bearer {own_access_token(project, {**env, **keys})}"
    return keys


# Run with the rendered project's interpreter (psycopg is there: procrastinate's driver).
JOB_ROWS = """
import sys, psycopg
with psycopg.connect(sys.argv[1]) as connection:
    query = "SELECT count(*) FROM procrastinate_jobs WHERE args->>'operation_id' = %s"
    print(connection.execute(query, (sys.argv[2],)).fetchone()[0])
"""
FIRST_NOTIFICATION = """
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as connection:
    connection.execute("LISTEN resource_events")
    print("listening", flush=True)
    for notification in connection.notifies(timeout=60, stop_after=1):
        print(notification.payload, flush=True)
"""


def check_overlays(servers: dict[str, Server], item_path: str, cluster: Cluster, project: Path) -> None:
    """Each overlay took hold, or the figures would price nothing: an export on `jobs` writes its job and on
    `jobs-no-defer` none; a write on `jobs-no-events` sends no notification (a listener hears `jobs`' write, made
    after it, first: notifications arrive in commit order)."""
    python = str(project / ".venv" / "bin" / "python")
    url = cluster.urls["with_jobs"]
    for name, expected in (("jobs", "1"), ("jobs-no-defer", "0")):
        status, _, body = request(servers[name].url(f"{item_path}/exports"), method="POST")
        if status != 202:
            raise SystemExit(f"{name}: POST {item_path}/exports answered {status}: {body[:300]!r}")
        operation = json.loads(body)["id"]
        rows = subprocess.run([python, "-c", JOB_ROWS, url, operation], capture_output=True, text=True, check=True)
        if rows.stdout.strip() != expected:
            raise SystemExit(f"{name}: the export deferred {rows.stdout.strip()} jobs, not {expected}")
    listener = subprocess.Popen(
        [python, "-c", FIRST_NOTIFICATION, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert listener.stdout is not None
        if listener.stdout.readline().strip() != "listening":
            raise SystemExit(f"the notification listener did not start: {listener.communicate()[1]}")
        created = {}
        for name in ("jobs-no-events", "jobs"):
            status, _, body = request(servers[name].url("/api/v1/items"), method="POST", body=ITEM)
            if status != 201:
                raise SystemExit(f"{name}: POST /api/v1/items answered {status}: {body[:300]!r}")
            created[name] = json.loads(body)["id"]
        heard = listener.stdout.readline().strip()
        if not heard:
            raise SystemExit(f"no notification for jobs' write: {listener.communicate()[1]}")
        if json.loads(heard)["event"]["id"] != str(created["jobs"]):
            raise SystemExit(f"jobs-no-events still notifies: first heard {heard}, created {created}")
    finally:
        listener.kill()
        listener.wait()


def measure_framework(
    framework: str, jobs_project: Path, no_jobs_project: Path, args: argparse.Namespace, workdir: Path
) -> dict[str, Any]:
    projects = {"jobs": jobs_project, "no-jobs": no_jobs_project}
    for render, project in projects.items():
        wanted = "true" if render == "jobs" else "false"
        if answer(project, "framework") != framework or answer(project, "database") != "postgresql":
            raise SystemExit(f"{project} is not a {framework} render with database=postgresql")
        if (answer(project, "jobs") or "false") != wanted:
            raise SystemExit(f"{project} does not answer jobs={wanted}")
    logs = workdir / f"logs-{framework}"
    logs.mkdir(exist_ok=True)
    scripts = {}
    for pair in PAIRS:
        if pair.script:
            scripts[pair.key] = workdir / f"{pair.key}.lua"
            scripts[pair.key].write_text(pair.script)
    AUTH_HEADERS.clear()
    keys = token_keys(jobs_project)
    core = None if args.no_pin else args.server_core
    servers: dict[str, Server] = {}
    with postgres_cluster(jobs_project) as cluster:
        envs = {
            name: service_env(projects[render], cluster.urls[database], keys, args.env)
            for name, (render, _, database) in SERVERS.items()
        }
        migrate(jobs_project, envs["jobs"], framework)
        migrate(no_jobs_project, envs["no-jobs"], framework)
        try:
            for name, (render, overlay, _) in SERVERS.items():
                project = projects[render]
                python = str(project / ".venv" / "bin" / "python")
                env = {**envs[name], "PORT": str(free_port())}
                if overlay is None:
                    command = [python, "-m", package_name(project)]
                else:
                    command = [python, str(APPS_DIR / "jobs_overlay.py")]
                    env.update(BENCH_PACKAGE=package_name(project), BENCH_OVERLAY=overlay)
                servers[name] = start(name, command, cwd=project, env=env, logs=logs, core=core)
            for server in servers.values():
                wait_until_live(server, timeout=120)
            items = {}
            for name in ("jobs", "no-jobs"):
                status, _, body = request(servers[name].url("/api/v1/items"), method="POST", body=ITEM)
                if status != 201:
                    raise SystemExit(f"{name}: POST /api/v1/items answered {status}: {body[:300]!r}")
                items[name] = f"/api/v1/items/{json.loads(body)['id']}"
            shapes = {name: sorted(json.loads(request(servers[name].url(items[name]))[2])) for name in items}
            if shapes["jobs"] != shapes["no-jobs"]:
                raise SystemExit(f"the renders answer the item differently: {shapes}")
            check_overlays(servers, items["jobs"], cluster, jobs_project)

            def path_of(pair: Pair, server: str) -> str:
                item = items["no-jobs" if SERVERS[server][0] == "no-jobs" else "jobs"]
                return {"defer": f"{item}/exports", "item": item, "notify": "/api/v1/items"}[pair.key]

            load_before = os.getloadavg()
            rounds = ([("warm-up", args.warmup)] if args.warmup > 0 else []) + [
                (f"round {number + 1}", args.duration) for number in range(args.runs)
            ]
            for number, (label, duration) in enumerate(rounds):
                for pair in PAIRS:
                    order = [pair.measured, pair.baseline][:: 1 if number % 2 == 0 else -1]
                    for name in order:
                        server = servers[name]
                        count_lines_and_truncate(server.log_path)
                        measured = wrk_run(
                            server,
                            path_of(pair, name),
                            script=scripts.get(pair.key),
                            args=args,
                            cluster=cluster,
                            duration=duration,
                        )
                        run = measured.run
                        logged = count_lines_and_truncate(server.log_path)
                        measured.log_lines_per_request = logged / max(run.requests, 1)
                        if label != "warm-up":
                            cluster.runs.setdefault((pair.key, name), []).append(measured)
                        print(
                            f"  {framework} {label:<8} {pair.key:<6} {name:<15} {run.requests_per_s:>7.0f} req/s  "
                            f"p50 {run.p50_ms:6.2f} ms  service {run.cpu_us_per_request:5.0f} us/req  "
                            f"PostgreSQL {measured.database_cpu_us_per_request:5.0f} us/req  "
                            f"log lines/req {measured.log_lines_per_request:.2f}",
                            flush=True,
                        )
            load_after = os.getloadavg()
        finally:
            for server in servers.values():
                stop(server)
    return summarise(framework, cluster, load_before, load_after)


def summarise(framework: str, cluster: Cluster, load_before: Any, load_after: Any) -> dict[str, Any]:
    pairs: dict[str, Any] = {}
    for pair in PAIRS:
        figures = {}
        for name in (pair.measured, pair.baseline):
            runs = cluster.runs[(pair.key, name)]
            figures[name] = {
                "requests_per_s": median([m.run.requests_per_s for m in runs]),
                "p50_ms": median([m.run.p50_ms for m in runs]),
                "p99_ms": median([m.run.p99_ms for m in runs]),
                "service_cpu_us_per_request": median([m.run.cpu_us_per_request for m in runs]),
                "database_cpu_us_per_request": median([m.database_cpu_us_per_request for m in runs]),
                "total_cpu_us_per_request": median([m.total_cpu_us_per_request for m in runs]),
                "service_core_share": median([m.run.cpu_share for m in runs]),
                "log_lines_per_request": median([m.log_lines_per_request for m in runs]),
                "runs": [
                    {
                        **asdict(m.run),
                        "database_cpu_us_per_request": m.database_cpu_us_per_request,
                        "log_lines_per_request": m.log_lines_per_request,
                    }
                    for m in runs
                ],
            }
        measured, baseline = figures[pair.measured], figures[pair.baseline]
        # Each round's own ratio (the two ran back to back): steadier than the ratio of medians when load drifts.
        both = zip(cluster.runs[(pair.key, pair.measured)], cluster.runs[(pair.key, pair.baseline)], strict=True)
        rounds = [(m.total_cpu_us_per_request, b.total_cpu_us_per_request) for m, b in both]
        pairs[pair.key] = {
            "question": pair.question,
            "endpoint": pair.endpoint,
            "measured": pair.measured,
            "baseline": pair.baseline,
            "servers": figures,
            # measured/baseline throughput (below 1: the measured side serves fewer) and CPU (above 1: costs more).
            "requests_per_s_ratio": measured["requests_per_s"] / baseline["requests_per_s"],
            "service_cpu_ratio": measured["service_cpu_us_per_request"] / baseline["service_cpu_us_per_request"],
            "total_cpu_ratio": measured["total_cpu_us_per_request"] / baseline["total_cpu_us_per_request"],
            "extra_cpu_us_per_request": measured["total_cpu_us_per_request"] - baseline["total_cpu_us_per_request"],
            "round_total_cpu_ratio": median([m / b for m, b in rounds]),
            "round_extra_cpu_us_per_request": median([m - b for m, b in rounds]),
        }
    return {"framework": framework, "load_before": list(load_before), "load_after": list(load_after), "pairs": pairs}


PAIR_COLUMNS = (
    Column("req/s", "requests_per_s", 7, ".0f"),
    Column("p50 ms", "p50_ms", 7, ".2f"),
    Column("p99 ms", "p99_ms", 7, ".2f"),
    Column("service us/req", "service_cpu_us_per_request", 15, ".0f"),
    Column("PostgreSQL us/req", "database_cpu_us_per_request", 18, ".0f"),
    Column("total us/req", "total_cpu_us_per_request", 13, ".0f"),
    Column("log lines/req", "log_lines_per_request", 14, ".2f"),
)


def print_report(result: dict[str, Any], args: argparse.Namespace) -> None:
    print(
        f"\n{result['framework']}: median of {args.runs} alternated runs of {args.duration:g} s, wrk -t1 "
        f"-c{args.connections}; load average before {fmt_load(result['load_before'])}, "
        f"after {fmt_load(result['load_after'])}"
    )
    for figures in result["pairs"].values():
        print(f"\n  {figures['endpoint']}: {figures['question']}")
        print_table(figures["servers"], PAIR_COLUMNS, label="server", width=15, indent="    ")
        print(
            f"    {figures['measured']} / {figures['baseline']}: req/s {figures['requests_per_s_ratio']:.2f}, "
            f"service CPU per request {figures['service_cpu_ratio']:.2f}, service + PostgreSQL CPU per request "
            f"{figures['total_cpu_ratio']:.2f} ({figures['extra_cpu_us_per_request']:+.0f} us); round by round "
            f"{figures['round_total_cpu_ratio']:.2f} ({figures['round_extra_cpu_us_per_request']:+.0f} us)"
        )


def fmt_load(load: list[float]) -> str:
    return " ".join(f"{value:.2f}" for value in load)


def projects_for(framework: str, args: argparse.Namespace, workdir: Path) -> tuple[Path, Path]:
    """The two renders of one framework: given (`--jobs-project`, `--no-jobs-project`), or rendered and installed."""
    found = []
    for jobs, given in ((True, args.jobs_project), (False, args.no_jobs_project)):
        options = argparse.Namespace(
            project=given,
            vcs_ref=args.vcs_ref,
            data=[*args.data, f"framework={framework}", "database=postgresql", f"jobs={'true' if jobs else 'false'}"],
            framework=framework,
        )
        target = workdir / f"{framework}-{'jobs' if jobs else 'no-jobs'}"
        target.mkdir(parents=True, exist_ok=True)
        found.append(prepare_project(options, target))
    return found[0], found[1]


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__)
    parser.add_argument("--framework", choices=["fastapi", "django", "both"], default="both")
    load_arguments(parser, runs=3, duration=10, warmup=3, connections=16)
    parser.add_argument("--jobs-project", help="a rendered project with jobs=true (needs one --framework)")
    parser.add_argument("--no-jobs-project", help="the same answers with jobs=false (needs one --framework)")
    render_arguments(parser, project=False)
    output_arguments(parser)
    args = parser.parse_args(argv)
    if (args.jobs_project or args.no_jobs_project) and args.framework == "both":
        given = Path(args.jobs_project or args.no_jobs_project)
        args.framework = framework_of(given)
    load_tools(args)
    frameworks = ["fastapi", "django"] if args.framework == "both" else [args.framework]
    print(machine_description(), flush=True)
    results = []
    with scratch_directory("bench-jobs-", keep=args.keep) as workdir:
        for framework in frameworks:
            jobs_project, no_jobs_project = projects_for(framework, args, workdir)
            results.append(measure_framework(framework, jobs_project, no_jobs_project, args, workdir))
        for result in results:
            print_report(result, args)
        print(f"\n{machine_description()}")
        if args.json:
            Path(args.json).write_text(
                json.dumps({"machine": machine_description(), "settings": vars(args), "results": results}, indent=2)
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
