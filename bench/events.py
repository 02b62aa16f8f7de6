"""What the per-user event stream (`/api/v1/events`) costs, side by side in one run, for each transport between
replicas: PostgreSQL LISTEN/NOTIFY (the default answers) and Redis pub/sub (`use_redis=true`).

Two replicas of the rendered service (production shape, uvicorn, rate limits off) share one throwaway PostgreSQL
cluster (and one redis-server). For each transport, each run measures:

- **connection**: `--connections` WebSocket connections opened one after the other on replica B, each until its
  `{"type": "ready"}` and then closed: milliseconds per connection (median, p99) and replica B's CPU per connection
  (token check, subscription, the two log lines);
- **events**: `--writers` clients create items on replica A for `--duration` seconds as fast as it answers; one
  subscriber of the same owner on A and one on B count the `items.created` events: events per second delivered,
  the delay from the request's start to the event (median, p99) on the same replica and across, and events lost
  (anything but 0 is a bug).

The WebSocket client runs in the rendered project's venv (its `websockets`), as `python bench/events.py client`.

    uv run python bench/events.py                          # FastAPI, 3 runs x 5 s
    uv run python bench/events.py --framework django
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bench_parser, load_arguments, output_arguments, render_arguments, run_in_scratch

HERE = Path(__file__).resolve()

ITEM = {"name": "Pour-over kettle", "price_cents": 4990, "tags": ["kitchen"]}


# --- The client, run in the rendered project's venv ---------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def client(args: argparse.Namespace) -> dict[str, Any]:
    """Measures one run against replicas A and B (their URLs and pids); prints nothing but the JSON result."""
    import http.client
    import threading
    import urllib.parse

    from websockets.sync.client import connect

    subprotocols = ["bearer", args.token]
    authorization = {"Authorization": f"Bearer {args.token}", "Content-Type": "application/json"}

    def open_stream(base: str) -> Any:
        socket = connect(base.replace("http", "ws", 1) + "/api/v1/events", subprotocols=subprotocols, open_timeout=10)
        first = json.loads(socket.recv(timeout=10))
        if first != {"type": "ready"}:
            raise SystemExit(f"the stream opened with {first}")
        return socket

    # Connections, one after the other.
    connection_ms: list[float] = []
    cpu_before = cpu_of(args.b_pid)
    for _ in range(args.connections):
        started = time.perf_counter()
        socket = open_stream(args.b)
        connection_ms.append((time.perf_counter() - started) * 1000)
        socket.close()
    cpu_per_connection_ms = (cpu_of(args.b_pid) - cpu_before) * 1000 / args.connections

    # Events: subscribers on A and B, writers on A.
    arrived: dict[str, dict[str, float]] = {"same": {}, "across": {}}
    sent: dict[str, float] = {}
    streams = {"same": open_stream(args.a), "across": open_stream(args.b)}
    listening = True

    def listen(name: str) -> None:
        socket = streams[name]
        while listening:
            try:
                message = json.loads(socket.recv(timeout=0.2))
            except TimeoutError:
                continue
            except Exception:  # the socket closed at the end
                return
            if message.get("type") == "items.created":
                arrived[name][message["id"]] = time.perf_counter()

    listeners = [threading.Thread(target=listen, args=(name,)) for name in streams]
    for listener in listeners:
        listener.start()
    address = urllib.parse.urlsplit(args.a)
    deadline = time.perf_counter() + args.duration
    errors: list[str] = []

    def write() -> None:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            connection.request("POST", "/api/v1/items", body=json.dumps(ITEM), headers=authorization)
            response = connection.getresponse()
            body = response.read()
            if response.status != 201:
                errors.append(f"{response.status} {body[:200]!r}")
                return
            sent[json.loads(body)["id"]] = started
        connection.close()

    writers = [threading.Thread(target=write) for _ in range(args.writers)]
    began = time.perf_counter()
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    writing_s = time.perf_counter() - began
    settle = time.perf_counter() + 10  # events still on their way
    while time.perf_counter() < settle and any(len(found) < len(sent) for found in arrived.values()):
        time.sleep(0.05)
    listening = False
    for listener in listeners:
        listener.join()
    for socket in streams.values():
        socket.close()
    if errors:
        raise SystemExit(f"a write failed: {errors[0]}")
    result: dict[str, Any] = {
        "connection_ms_p50": percentile(connection_ms, 0.5),
        "connection_ms_p99": percentile(connection_ms, 0.99),
        "cpu_ms_per_connection": cpu_per_connection_ms,
        "writes_per_s": len(sent) / writing_s,
    }
    for name, found in arrived.items():
        delays = [(found[key] - sent[key]) * 1000 for key in sent if key in found]
        result[f"events_per_s_{name}"] = len(delays) / writing_s
        result[f"delay_ms_p50_{name}"] = percentile(delays, 0.5)
        result[f"delay_ms_p99_{name}"] = percentile(delays, 0.99)
        result[f"lost_{name}"] = len(sent) - len(delays)
    return result


# --- The harness -----------------------------------------------------------------------------------------------------


def service_env(project: Path, database: dict[str, str], extra: dict[str, str]) -> dict[str, str]:
    from common import DEPLOYED_MAIL, clean_env
    from middleware import run_package

    env = {
        **clean_env(PYTHONDONTWRITEBYTECODE="1", HOST="127.0.0.1"),
        **database,
        **DEPLOYED_MAIL,
        "ENVIRONMENT": "production",
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "json",
        "DOCS_ENABLED": "false",
        "MIGRATE_ON_START": "false",
        "RATE_LIMIT_ENABLED": "false",
        "WEBSOCKET_MAX_CONNECTIONS": "10000",  # connections are opened and closed back to back
        "SECRET_KEY": secrets.token_urlsafe(64),
        "AUTH_ISSUER": "urn:bench",
        "AUTH_AUDIENCE": "urn:bench:api",
        **extra,
    }
    env.pop("SENTRY_DSN", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env["AUTH_SIGNING_KEYS"] = run_package(project, env, "signing-key")
    return env


def run(args: argparse.Namespace, workdir: Path) -> dict[str, dict[str, float]]:
    from common import machine_description, median
    from middleware import (
        database_for,
        free_port,
        migrate,
        own_access_token,
        package_name,
        prepare_project,
        start,
        stop,
        wait_until_live,
    )
    from read_cache import redis_server

    projects = {}
    for transport, use_redis in (("postgresql", "false"), ("redis", "true")):
        options = argparse.Namespace(
            project=None, vcs_ref=args.vcs_ref, data=[f"use_redis={use_redis}"], framework=args.framework
        )
        projects[transport] = prepare_project(options, workdir / transport)
    logs = workdir / "logs"
    logs.mkdir()
    results: dict[str, list[dict[str, Any]]] = {transport: [] for transport in projects}
    with database_for(projects["postgresql"], workdir) as database, redis_server() as (_, redis_port):
        load_before = os.getloadavg()
        for transport, project in projects.items():
            extra = {"REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"} if transport == "redis" else {}
            env = service_env(project, database, extra)
            migrate(project, env, args.framework)
            token = own_access_token(project, env)
            command = [str(project / ".venv" / "bin" / "python"), "-m", package_name(project)]
            replicas = []
            try:
                for name in ("a", "b"):
                    port = free_port()
                    server = start(
                        f"{transport}-{name}",
                        command,
                        cwd=project,
                        env={**env, "PORT": str(port)},
                        logs=logs,
                        core=None,
                    )
                    replicas.append(server)
                    wait_until_live(server, timeout=120)
                a, b = replicas
                client_command = [
                    str(project / ".venv" / "bin" / "python"), str(HERE), "client", "--a", a.url(""), "--b", b.url(""),
                    "--b-pid", str(b.process.pid), "--token", token, "--connections", str(args.connections),
                    "--writers", str(args.writers), "--duration", str(args.duration),
                ]  # fmt: skip
                for _ in range(args.runs):
                    measured = subprocess.run(client_command, capture_output=True, text=True, check=False)
                    if measured.returncode != 0:
                        raise SystemExit(f"the client failed:\n{measured.stdout}\n{measured.stderr}")
                    results[transport].append(json.loads(measured.stdout))
            finally:
                for server in replicas:
                    stop(server)
        load_after = os.getloadavg()
    summary = {
        transport: {key: median([run[key] for run in runs]) for key in runs[0]} for transport, runs in results.items()
    }
    print(
        f"\n{args.framework}, /api/v1/events, two replicas, {args.runs} runs: {args.connections} connections, "
        f"{args.writers} writers x {args.duration:g} s; {machine_description()}"
    )
    print(f"load average (1, 5, 15 min) before {load_before}, after {load_after}")
    print(
        f"{'transport':<11} {'conn ms':>8} {'p99':>6} {'CPU ms':>7} {'writes/s':>9} {'events/s':>9} {'across':>7} "
        f"{'delay ms':>9} {'p99':>6} {'across':>7} {'p99':>6} {'lost':>5}"
    )
    for transport, row in summary.items():
        print(
            f"{transport:<11} {row['connection_ms_p50']:>8.1f} {row['connection_ms_p99']:>6.1f} "
            f"{row['cpu_ms_per_connection']:>7.1f} {row['writes_per_s']:>9.0f} {row['events_per_s_same']:>9.0f} "
            f"{row['events_per_s_across']:>7.0f} {row['delay_ms_p50_same']:>9.1f} {row['delay_ms_p99_same']:>6.1f} "
            f"{row['delay_ms_p50_across']:>7.1f} {row['delay_ms_p99_across']:>6.1f} "
            f"{row['lost_same'] + row['lost_across']:>5.0f}"
        )
    return summary


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["client"]:
        parser = argparse.ArgumentParser(prog="events.py client")
        parser.add_argument("--a", required=True)
        parser.add_argument("--b", required=True)
        parser.add_argument("--b-pid", type=int, required=True)
        parser.add_argument("--token", required=True)
        parser.add_argument("--connections", type=int, required=True)
        parser.add_argument("--writers", type=int, required=True)
        parser.add_argument("--duration", type=float, required=True)
        print(json.dumps(client(parser.parse_args(arguments[1:]))))
        return 0
    parser = bench_parser(__doc__)
    parser.add_argument("--framework", choices=["fastapi", "django"], default="fastapi")
    load_arguments(parser, runs=3, duration=5, pin=False)
    parser.add_argument("--connections", type=int, default=200, help="WebSocket connections (default 200)")
    parser.add_argument("--writers", type=int, default=4, help="clients writing items (default 4)")
    render_arguments(parser, project=False, data=False)
    output_arguments(parser, env=False, keep=False)
    args = parser.parse_args(arguments)
    return run_in_scratch(run, args, prefix="bench-events-")


if __name__ == "__main__":
    raise SystemExit(main())
