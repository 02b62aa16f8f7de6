"""What does tracing (issue 52, core/tracing.py) cost on `GET /api/v1/items/{id}`? Side by side in one run:

- **before**: a render of the template before tracing existed (`--before-ref`, default 940f0db);
- **off**: today's render, no `OTEL_*` (what every service that never sets them runs);
- **ratio-0.01**: today's render exporting to a local OTLP/HTTP receiver, `parentbased_traceidratio` at 0.01 (one
  request in a hundred recorded: the Kubernetes config's setting);
- **ratio-1**: the same, every request recorded and exported.

Budget (issue 52), in req/s against **before**: off >= 0.98, ratio-0.01 >= 0.95, ratio-1 >= 0.80. Each server is
one process pinned to `--server-core`, wrk to `--wrk-core`; the order rotates every round (interleaved). Both renders
read their own database of one throwaway PostgreSQL cluster, in production shape (as `middleware.py` runs the
service), rate limiting off, one bearer token good on both. The receiver runs in this process (answers every export
at once, counts the spans' bytes). CPU per request (the server's process time / requests) barely moves when other
processes load the machine, unlike req/s: read it first on a shared machine.

    uv run python bench/tracing.py                           # FastAPI, 3 runs x 10 s
    uv run python bench/tracing.py --framework django
    uv run python bench/tracing.py --runs 1 --duration 2 --warmup 1   # smoke run
    uv run python bench/tracing.py --project DIR --before-project DIR2  # renders made already (edited in place)
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    ITEM_ROUTE_COLUMNS,
    bench_parser,
    load_arguments,
    machine_description,
    medians,
    output_arguments,
    print_table,
    run_in_scratch,
)
from jobs import token_keys
from middleware import (
    Server,
    answer,
    free_port,
    migrate,
    package_name,
    prepare_project,
    request,
    start,
    stop,
    wait_until_live,
    wrk,
)
from read_cache import ITEM, service_env

BEFORE_TRACING = "940f0db"
"""main before tracing landed (the merge of trace52 came after it)."""
BUDGET = {"off": 0.98, "ratio-0.01": 0.95, "ratio-1": 0.80}


class Receiver:
    """An OTLP/HTTP endpoint that accepts every export at once (`/v1/traces`) and counts what arrived."""

    def __init__(self) -> None:
        self.exports = 0
        self.bytes = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.exports += 1
                receiver.bytes += len(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def databases(project: Path, names: list[str]) -> Iterator[dict[str, str]]:
    """One throwaway cluster (the rendered project's tests/postgres_cluster.py), a database per name."""
    module_path = project / "tests" / "postgres_cluster.py"
    spec = importlib.util.spec_from_file_location("bench_postgres_cluster", module_path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {module_path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if module.server_binaries() is None:
        raise SystemExit("the bench needs PostgreSQL's server binaries (Debian: apt-get install postgresql)")
    with module.PostgresCluster() as cluster:
        yield {name: cluster.create_database(name.replace("-", "_")) for name in names}


def run(args: argparse.Namespace, workdir: Path) -> dict[str, dict[str, Any]]:
    def prepared(ref: str, name: str, given: str | None) -> Path:
        options = argparse.Namespace(project=given, vcs_ref=ref, data=[], framework=args.framework)
        project = prepare_project(options, workdir / name)
        if answer(project, "database") != "postgresql":
            raise SystemExit("the bench reads PostgreSQL: render with database=postgresql")
        return project

    before = prepared(args.before_ref, "before", args.before_project)
    today = prepared(args.vcs_ref, "today", args.project)
    logs = workdir / "logs"
    logs.mkdir(exist_ok=True)
    core = None if args.no_pin else args.server_core
    wrk_core = None if args.no_pin else args.wrk_core
    receiver = Receiver()
    servers: list[Server] = []
    paths: dict[str, str] = {}
    try:
        with databases(today, ["before", "today"]) as urls:
            keys = token_keys(today)  # one token good on both renders (AUTH_HEADERS)
            before_env = service_env(before, {"DATABASE_URL": urls["before"]}, keys)
            today_env = service_env(today, {"DATABASE_URL": urls["today"]}, keys)
            migrate(before, before_env, args.framework)
            migrate(today, today_env, args.framework)
            exporting = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_SERVICE_NAME": "bench"}
            plan = [
                ("before", before, before_env),
                ("off", today, today_env),
                (
                    "ratio-0.01",
                    today,
                    {
                        **today_env,
                        **exporting,
                        "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
                        "OTEL_TRACES_SAMPLER_ARG": "0.01",
                    },
                ),
                ("ratio-1", today, {**today_env, **exporting, "OTEL_TRACES_SAMPLER": "parentbased_always_on"}),
            ]
            try:
                for name, project, env in plan:
                    port = free_port()
                    command = [str(project / ".venv" / "bin" / "python"), "-m", package_name(project)]
                    server = start(name, command, cwd=project, env={**env, "PORT": str(port)}, logs=logs, core=core)
                    servers.append(server)
                    wait_until_live(server, timeout=120)
                for server in servers[:2]:  # each database its item; the traced servers share today's
                    status, _, body = request(server.url("/api/v1/items"), method="POST", body=ITEM)
                    if status != 201:
                        raise SystemExit(f"{server.name}: POST /api/v1/items answered {status}: {body[:300]!r}")
                    paths[server.name] = f"/api/v1/items/{json.loads(body)['id']}"
                paths["ratio-0.01"] = paths["ratio-1"] = paths["off"]
                for server in servers:
                    status, _, body = request(server.url(paths[server.name]))
                    if status != 200:
                        raise SystemExit(f"{server.name}: GET {paths[server.name]} answered {status}: {body[:300]!r}")
                load_before = os.getloadavg()
                for round_number in range(args.runs + (1 if args.warmup else 0)):
                    order = servers[round_number % len(servers) :] + servers[: round_number % len(servers)]
                    for server in order:
                        warming = round_number == 0 and bool(args.warmup)
                        result = wrk(
                            server.url(paths[server.name]),
                            duration=args.warmup if warming else args.duration,
                            connections=args.connections,
                            core=wrk_core,
                            server_pid=server.process.pid,
                        )
                        failed = result.non_2xx + result.socket_errors
                        if failed * 100 > result.requests:  # a few timeouts on a loaded machine are reported only
                            raise SystemExit(f"{server.name}: {result.non_2xx} non-2xx, {result.socket_errors} errors")
                        if failed:
                            print(f"{server.name}: {failed} of {result.requests} requests failed (wrk's timeout)")
                        if not warming:
                            server.runs.setdefault("item", []).append(result)
                load_after = os.getloadavg()
            finally:
                for server in servers:
                    stop(server)
    finally:
        receiver.close()
    if not receiver.exports:
        raise SystemExit("the traced servers exported nothing: tracing was not on")
    summary = {
        server.name: {
            **medians(server.runs["item"], share="core_share"),
            "runs_requests_per_s": [r.requests_per_s for r in server.runs["item"]],
            "runs_cpu_us_per_request": [r.cpu_us_per_request for r in server.runs["item"]],
        }
        for server in servers
    }
    print(
        f"\n{args.framework}, GET /api/v1/items/{{id}}, {args.runs} runs x {args.duration:g} s, "
        f"wrk -c{args.connections}; before = {args.before_ref}, today = {args.vcs_ref}; {machine_description()}"
    )
    print(f"load average (1, 5, 15 min) before {load_before}, after {load_after}")
    print(f"receiver: {receiver.exports} exports, {receiver.bytes} bytes")
    runs = {name: row["runs_requests_per_s"] for name, row in summary.items()}
    print_table(summary, ITEM_ROUTE_COLUMNS, label="server", width=12, runs=runs)
    base = summary["before"]
    for name, floor in BUDGET.items():
        ratio = summary[name]["requests_per_s"] / base["requests_per_s"]
        cpu_ratio = base["cpu_us_per_request"] / summary[name]["cpu_us_per_request"]
        verdict = "within" if min(ratio, cpu_ratio) >= floor else "OVER" if max(ratio, cpu_ratio) < floor else "mixed"
        print(
            f"{name} / before: req/s {ratio:.3f}, requests per CPU second {cpu_ratio:.3f} "
            f"(budget >= {floor:.2f}: {verdict})"
        )
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__)
    parser.add_argument("--framework", choices=["fastapi", "django"], default="fastapi")
    parser.add_argument("--vcs-ref", default="HEAD", help="today's template version (default HEAD, with local edits)")
    parser.add_argument("--before-ref", default=BEFORE_TRACING, help="the template version before tracing")
    parser.add_argument("--project", help="today's render to use instead of rendering --vcs-ref (installed if need be)")
    parser.add_argument("--before-project", help="the render before tracing to use instead of rendering --before-ref")
    load_arguments(parser, runs=3, duration=10, warmup=3, connections=64)
    output_arguments(parser, env=False, keep=False)
    args = parser.parse_args(argv)
    return run_in_scratch(run, args, prefix="bench-tracing-")


if __name__ == "__main__":
    raise SystemExit(main())
