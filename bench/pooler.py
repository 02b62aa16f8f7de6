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
from common import bench_parser, compare_item_route, item_route_arguments, run_in_scratch, service_env
from jobs import token_keys
from middleware import AUTH_HEADERS, answer, bearer_token, database_for, free_port, migrate, pinned, prepare_project


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
    with database_for(project, workdir) as database:
        direct_url = database["DATABASE_URL"]
        # auth=users: a key set and a token signed with it (auth=jwt: service_env's secret and the token command).
        keys = token_keys(project) if answer(project, "auth") == "users" else {}
        direct_env = service_env(project, database, keys)
        migrate(project, direct_env, args.framework)
        if answer(project, "auth") == "jwt":
            AUTH_HEADERS["Authorization"] = f"Bearer {bearer_token(project, direct_env)}"
        pgbouncer_core = None if args.no_pin else args.wrk_core
        with pgbouncer(direct_url, server_connections=args.server_connections, core=pgbouncer_core) as pooled_url:
            pooler = {**keys, "DATABASE_POOLER": "transaction", "DATABASE_DIRECT_URL": direct_url}
            plan = [
                ("direct", project, direct_env),
                ("pooler-settings", project, service_env(project, database, pooler)),
                ("pgbouncer", project, service_env(project, {"DATABASE_URL": pooled_url}, pooler)),
            ]
            comparison = compare_item_route(plan, args, logs)
    comparison.print(
        f"{args.framework}, {args.runs} runs x {args.duration:g} s, wrk -c{args.connections}, PgBouncer "
        f"{args.server_connections} server connections",
        baseline="direct",
    )
    return comparison.summary


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__)
    parser.add_argument("--framework", choices=["fastapi", "django"], default="fastapi")
    parser.add_argument("--project", help="a rendered, installed project (database=postgresql)")
    parser.add_argument("--server-connections", type=int, default=20, help="PgBouncer's default_pool_size")
    item_route_arguments(parser)
    args = parser.parse_args(argv)
    return run_in_scratch(run, args, prefix="bench-pooler-")


if __name__ == "__main__":
    raise SystemExit(main())
