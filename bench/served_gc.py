"""What the garbage collector costs a served process under load: the rendered service (and, for FastAPI, floor1)
served as `bench/middleware.py` serves them, each with a probe (`apps/served_probe/sitecustomize.py`) that counts
collections and the CPU time spent in them.

    uv run python bench/served_gc.py                                # default FastAPI render, 32 connections
    uv run python bench/served_gc.py --project DIR --runs 3 --calls
    uv run python bench/served_gc.py --framework django

The in-process harnesses (`bench/fastapi_parts.py`, `bench/layers.py`) call the app one request at a time and keep
the best of several rounds: a round that met a full collection is dropped, and with one request in flight the
young generation seldom fills. Served at 32 connections, the objects of the requests in flight fill it, young
collections move them to older generations, and full collections walk the whole heap. This harness measures that:
per app, `GET /api/v1/items/{id}` under wrk (server on core 1, wrk on core 0, the apps alternated run by run),
req/s, CPU per request, collections per 1,000 requests and GC CPU per request in each generation, the objects
frozen (`core/heap.py`), and with `--calls` the Python calls per request in the served process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    bench_parser,
    load_arguments,
    machine_description,
    output_arguments,
    render_arguments,
    scratch_directory,
)
from middleware import (
    AUTH_HEADERS,
    FRAMEWORKS,
    Server,
    count_lines_and_truncate,
    framework_of,
    parse_wrk,
    pinned,
    prepare_project,
    running_servers,
    stop,
)

PROBE = Path(__file__).resolve().parent / "apps" / "served_probe"
COMPARED = {"fastapi": "floor1", "django": "floor"}


def probe_record(server: Server, out: Path) -> dict[str, Any]:
    """Ask the probe for its figures (SIGUSR1) and wait for the line it appends."""
    before = len(out.read_text().splitlines()) if out.exists() else 0
    os.kill(server.process.pid, signal.SIGUSR1)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = out.read_text().splitlines() if out.exists() else []
        if len(lines) > before:
            return dict(json.loads(lines[-1]))
        time.sleep(0.02)
    raise SystemExit(f"{server.name}: the probe did not answer (is PYTHONPATH {PROBE} honoured?)")


def load(url: str, seconds: float, connections: int, core: int, headers: dict[str, str]) -> tuple[int, float]:
    named = [part for name, value in headers.items() for part in ("-H", f"{name}: {value}")]
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", *named, url]
    result = subprocess.run(pinned(core, command), capture_output=True, text=True, check=False)
    run = parse_wrk(result.stdout)
    if run.non_2xx or run.socket_errors:
        raise SystemExit(f"{url}: {run.non_2xx} non-2xx answers, {run.socket_errors} socket errors")
    return run.requests, run.requests_per_s


def measure(server: Server, out: Path, url: str, args: Any, headers: dict[str, str]) -> dict[str, Any]:
    before = probe_record(server, out)
    requests, per_second = load(url, args.duration, args.connections, args.wrk_core, headers)
    after = probe_record(server, out)
    count_lines_and_truncate(server.log_path)
    figures: dict[str, Any] = {
        "requests_per_s": per_second,
        "cpu_us_per_request": (after["cpu_seconds"] - before["cpu_seconds"]) / requests * 1e6,
        "collections_per_1k_requests": [
            (after["collections"][g] - before["collections"][g]) / requests * 1000 for g in range(3)
        ],
        "gc_us_per_request": [(after["gc_seconds"][g] - before["gc_seconds"][g]) / requests * 1e6 for g in range(3)],
        "frozen": after["frozen"],
        "young_threshold": after["threshold"][0],
    }
    if args.calls:
        os.kill(server.process.pid, signal.SIGUSR2)
        counted = probe_record(server, out)
        requests, _ = load(url, 3, args.connections, args.wrk_core, headers)
        done = probe_record(server, out)
        os.kill(server.process.pid, signal.SIGUSR2)
        figures["calls_per_request"] = (done["calls"] - counted["calls"]) / requests
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__)
    parser.add_argument("--framework", choices=sorted(FRAMEWORKS), default="fastapi")
    parser.add_argument("--calls", action="store_true", help="also count Python calls per request (3 s more each)")
    load_arguments(parser, runs=2, duration=8, connections=32, no_pin=False)
    render_arguments(parser)
    output_arguments(parser)
    args = parser.parse_args(argv)
    args.no_pin = False
    print(machine_description(), flush=True)
    with scratch_directory("bench-served-gc-", keep=args.keep) as workdir:
        args.framework = args.framework if not args.project else None
        project = prepare_project(args, workdir)
        framework = framework_of(project)
        compared = COMPARED[framework]
        logs = workdir / "logs"
        logs.mkdir()
        outs = {"rendered": workdir / "rendered.jsonl", compared: workdir / f"{compared}.jsonl"}
        args.env = [*args.env, f"PYTHONPATH={PROBE}", f"PROBE_OUT={outs['rendered']}"]
        FRAMEWORKS[framework].extra_env.setdefault(compared, {}).update(
            PYTHONPATH=str(PROBE), PROBE_OUT=str(outs[compared])
        )
        with running_servers(project, args, logs, framework) as (servers, item_id):
            targets = [server for server in servers if server.name in outs]
            for server in servers:
                if server not in targets:
                    stop(server)
            results: dict[str, list[dict[str, Any]]] = {server.name: [] for server in targets}
            for round_number in range(args.runs):
                shift = round_number % len(targets)
                for server in targets[shift:] + targets[:shift]:
                    headers = dict(AUTH_HEADERS) if server.name == "rendered" else {}
                    url = server.url(f"/api/v1/items/{item_id}")
                    load(url, 2, args.connections, args.wrk_core, headers)  # warm-up
                    figures = measure(server, outs[server.name], url, args, headers)
                    results[server.name].append(figures)
                    print(
                        f"  round {round_number + 1} {server.name:<9} {figures['requests_per_s']:>7.0f} req/s  "
                        f"CPU {figures['cpu_us_per_request']:.0f} us/req  collections per 1k requests "
                        f"{' / '.join(f'{n:.1f}' for n in figures['collections_per_1k_requests'])}  GC "
                        f"{' / '.join(f'{us:.1f}' for us in figures['gc_us_per_request'])} us/req  frozen "
                        f"{figures['frozen']}  young threshold {figures['young_threshold']}"
                        + (f"  {figures['calls_per_request']:.0f} calls/req" if "calls_per_request" in figures else ""),
                        flush=True,
                    )
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine_description(), "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
