"""What does PgBouncer in transaction mode cost on `GET /api/v1/items/{id}`? Side by side in one run, one render:

- **direct**: the service on PostgreSQL itself (`DATABASE_URL` the cluster's);
- **pooler settings**: the same URL with `DATABASE_POOLER=transaction` (no statement kept, no startup timeout): what
  the settings alone cost, without the extra hop;
- **pgbouncer**: through PgBouncer (Debian's 1.18, `pool_mode = transaction`, `--server-connections` to PostgreSQL)
  with `DATABASE_POOLER=transaction` and the direct URL beside it, as README "Behind PgBouncer" says.

All three read the same row of one throwaway PostgreSQL cluster, in production shape (as `middleware.py` runs the
service), rate limiting off. Each server is pinned to `--server-core`, wrk and PgBouncer to `--wrk-core`, the order
rotates every round. Prints median req/s, p50/p99 and the service's CPU per request (PgBouncer's and PostgreSQL's
CPU are not counted: the hop shows in the latency), and the load average before and after.

    uv run python bench/pooler.py                      # FastAPI, 3 runs x 10 s
    uv run python bench/pooler.py --framework django
    uv run python bench/pooler.py --project DIR        # a rendered, installed project (database=postgresql)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine_description
from jobs import token_keys
from middleware import (
    AUTH_HEADERS,
    Server,
    answer,
    bearer_token,
    database_for,
    free_port,
    median,
    migrate,
    package_name,
    pinned,
    prepare_project,
    request,
    start,
    stop,
    wait_until_live,
    wrk,
)
from read_cache import ITEM, service_env


@contextlib.contextmanager
def pgbouncer(database_url: str, *, server_connections: int, core: int | None) -> Iterator[str]:
    """PgBouncer in transaction mode in front of `database_url`'s server; yields the same URL through it."""
    executable = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(executable).exists():
        raise SystemExit("pgbouncer is not installed (Debian: apt-get install pgbouncer)")
    target = urlsplit(database_url)
    port = free_port()
    # Not under `workdir` (mode 700): as root, PgBouncer runs as `postgres`, which must reach its files.
    directory = Path(tempfile.mkdtemp(prefix="bench-pgbouncer-"))
    (directory / "users.txt").write_text(f'"{target.username}" ""\n')
    config = directory / "pgbouncer.ini"
    config.write_text(
        f"[databases]\n* = host={target.hostname} port={target.port}\n[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {directory / 'users.txt'}\npool_mode = transaction\n"
        f"default_pool_size = {server_connections}\nmax_client_conn = 1000\nlogfile = {directory / 'pgbouncer.log'}\n"
    )
    command = [executable, str(config)]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        shutil.chown(directory, "postgres", "postgres")
        command = [executable, "-u", "postgres", str(config)]
    process = subprocess.Popen(pinned(core, command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("pgbouncer did not start") from None
                time.sleep(0.05)
        yield target._replace(netloc=f"{target.username}@127.0.0.1:{port}").geturl()
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(directory, ignore_errors=True)


def run(args: argparse.Namespace, workdir: Path) -> dict[str, dict[str, float]]:
    options = argparse.Namespace(project=args.project, vcs_ref="HEAD", data=[], framework=args.framework)
    project = prepare_project(options, workdir / "project")
    if answer(project, "database") != "postgresql":
        raise SystemExit("PgBouncer stands in front of PostgreSQL: render with database=postgresql")
    logs = workdir / "logs"
    logs.mkdir(exist_ok=True)
    core = None if args.no_pin else args.server_core
    wrk_core = None if args.no_pin else args.wrk_core
    servers: list[Server] = []
    with database_for(project, workdir) as database:
        direct_url = database["DATABASE_URL"]
        # auth=users: a key set and a token signed with it (auth=jwt: service_env's secret and the token command).
        keys = token_keys(project) if answer(project, "auth") == "users" else {}
        direct_env = service_env(project, database, keys)
        migrate(project, direct_env, args.framework)
        if answer(project, "auth") == "jwt":
            AUTH_HEADERS["Authorization"] = f"Bearer {bearer_token(project, direct_env)}"
        with pgbouncer(direct_url, server_connections=args.server_connections, core=wrk_core) as pooled_url:
            pooler = {**keys, "DATABASE_POOLER": "transaction", "DATABASE_DIRECT_URL": direct_url}
            plan = [
                ("direct", direct_env),
                ("pooler-settings", service_env(project, database, pooler)),
                ("pgbouncer", service_env(project, {"DATABASE_URL": pooled_url}, pooler)),
            ]
            try:
                for name, env in plan:
                    port = free_port()
                    command = [str(project / ".venv" / "bin" / "python"), "-m", package_name(project)]
                    server = start(name, command, cwd=project, env={**env, "PORT": str(port)}, logs=logs, core=core)
                    servers.append(server)
                    wait_until_live(server, timeout=120)
                status, _, body = request(servers[0].url("/api/v1/items"), method="POST", body=ITEM)
                if status != 201:
                    raise SystemExit(f"POST /api/v1/items answered {status}: {body[:300]!r}")
                path = f"/api/v1/items/{json.loads(body)['id']}"
                bodies = {server.name: request(server.url(path))[2] for server in servers}
                if len(set(bodies.values())) != 1:
                    raise SystemExit(f"the servers answer differently: {bodies}")
                load_before = os.getloadavg()
                for round_number in range(args.runs + (1 if args.warmup else 0)):
                    order = servers[round_number % len(servers) :] + servers[: round_number % len(servers)]
                    for server in order:
                        duration = args.warmup if round_number == 0 and args.warmup else args.duration
                        result = wrk(
                            server.url(path),
                            duration=duration,
                            connections=args.connections,
                            core=wrk_core,
                            server_pid=server.process.pid,
                        )
                        if result.non_2xx or result.socket_errors:
                            raise SystemExit(f"{server.name}: {result.non_2xx} non-2xx, {result.socket_errors} errors")
                        if not (round_number == 0 and args.warmup):
                            server.runs.setdefault(path, []).append(result)
                load_after = os.getloadavg()
            finally:
                for server in servers:
                    stop(server)
    summary = {
        server.name: {
            "requests_per_s": median([r.requests_per_s for r in server.runs[path]]),
            "p50_ms": median([r.p50_ms for r in server.runs[path]]),
            "p99_ms": median([r.p99_ms for r in server.runs[path]]),
            "cpu_us_per_request": median([r.cpu_us_per_request for r in server.runs[path]]),
            "core_share": median([r.cpu_share for r in server.runs[path]]),
        }
        for server in servers
    }
    print(
        f"\n{args.framework}, GET {path.rsplit('/', 1)[0]}/{{id}}, {args.runs} runs x {args.duration:g} s, "
        f"wrk -c{args.connections}, PgBouncer {args.server_connections} server connections; {machine_description()}"
    )
    print(f"load average (1, 5, 15 min) before {load_before}, after {load_after}")
    print(f"{'server':<16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU µs/req':>11} {'core':>6}")
    for name, row in summary.items():
        print(
            f"{name:<16} {row['requests_per_s']:>8.0f} {row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} "
            f"{row['cpu_us_per_request']:>11.0f} {row['core_share']:>6.2f}"
        )
    base = summary["direct"]
    for name in ("pooler-settings", "pgbouncer"):
        print(
            f"{name} / direct: req/s {summary[name]['requests_per_s'] / base['requests_per_s']:.2f}, "
            f"CPU per request {summary[name]['cpu_us_per_request'] / base['cpu_us_per_request']:.2f}, "
            f"p50 {summary[name]['p50_ms'] / base['p50_ms']:.2f}"
        )
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--framework", choices=["fastapi", "django"], default="fastapi")
    parser.add_argument("--project", help="a rendered, installed project (database=postgresql)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=3, help="seconds of warm-up per server (0: none)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--server-connections", type=int, default=20, help="PgBouncer's default_pool_size")
    parser.add_argument("--server-core", type=int, default=1)
    parser.add_argument("--wrk-core", type=int, default=0)
    parser.add_argument("--no-pin", action="store_true")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-pooler-") as directory:
        summary = run(args, Path(directory))
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
