"""Does the application cache (`use_redis`) pay on `GET /api/v1/items/{id}`? Side by side in one run:

- **cache**: the service rendered with `use_redis=true`, Redis up: every read after the first is a hit;
- **no cache**: the same template rendered with `use_redis=false` (no Redis at all): every read is a database read;
- **redis down**: the `use_redis=true` service with Redis stopped: every read is a miss that skips Redis (the circuit
  breaker) and goes to the database, the fallback's cost.

All three read the same row of one throwaway PostgreSQL cluster (or SQLite file), in production shape (as
`middleware.py` runs the service), with rate limiting off on all three (it would add a Redis round trip to the
`use_redis` service only). Each server is pinned to `--server-core`, wrk to `--wrk-core`, the order rotates every
round. Prints median req/s, p50/p99 and server CPU per request, and the machine's load average before and after.

    uv run python bench/read_cache.py                      # FastAPI, 3 runs x 10 s
    uv run python bench/read_cache.py --framework django
    uv run python bench/read_cache.py --cached-project DIR --uncached-project DIR   # rendered, installed projects
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DEPLOYED_MAIL, clean_env, machine_description
from middleware import (
    AUTH_HEADERS,
    GENEROUS_ENV,
    Server,
    answer,
    bearer_token,
    database_for,
    free_port,
    median,
    migrate,
    package_name,
    prepare_project,
    request,
    start,
    stop,
    wait_until_live,
    wrk,
)

ITEM = {"name": "Pour-over kettle", "description": "Gooseneck, 1 litre", "price_cents": 4990, "tags": ["kitchen"]}


def project_for(args: argparse.Namespace, workdir: Path, *, use_redis: bool, given: str | None) -> Path:
    options = argparse.Namespace(
        project=given,
        vcs_ref="HEAD",
        data=[f"use_redis={'true' if use_redis else 'false'}"],
        framework=args.framework,
    )
    return prepare_project(options, workdir / ("cached" if use_redis else "uncached"))


@contextlib.contextmanager
def redis_server() -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    executable = shutil.which("redis-server")
    if executable is None:
        raise SystemExit("redis-server is not installed")
    port = free_port()
    command = [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    try:
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def service_env(project: Path, database: dict[str, str], extra: dict[str, str]) -> dict[str, str]:
    env = {
        **clean_env(PYTHONDONTWRITEBYTECODE="1", HOST="127.0.0.1"),
        **GENEROUS_ENV,
        **database,
        **DEPLOYED_MAIL,
        "ENVIRONMENT": "production",
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
        "DOCS_ENABLED": "false",
        "MIGRATE_ON_START": "false",
        "RATE_LIMIT_ENABLED": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        **extra,
    }
    env.pop("SENTRY_DSN", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    if answer(project, "auth") == "jwt":
        env.update(
            AUTH_JWT_SECRET=AUTH_SECRET,
            AUTH_ISSUER="https://login.bench.example/",
            AUTH_AUDIENCE="https://api.bench.example",
        )
    return env


AUTH_SECRET = secrets.token_hex(32)


def run(args: argparse.Namespace, workdir: Path) -> dict[str, dict[str, float]]:
    cached = project_for(args, workdir, use_redis=True, given=args.cached_project)
    uncached = project_for(args, workdir, use_redis=False, given=args.uncached_project)
    logs = workdir / "logs"
    logs.mkdir(exist_ok=True)
    core = None if args.no_pin else args.server_core
    wrk_core = None if args.no_pin else args.wrk_core
    servers: list[Server] = []
    with database_for(cached, workdir) as database, redis_server() as (_, redis_port):
        cached_env = service_env(cached, database, {"REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"})
        migrate(cached, cached_env, args.framework)
        if answer(cached, "auth") == "jwt":
            AUTH_HEADERS["Authorization"] = f"Bearer {bearer_token(cached, cached_env)}"
        plan = [
            ("cache", cached, cached_env),
            ("no cache", uncached, service_env(uncached, database, {})),
            ("redis down", cached, service_env(cached, database, {"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})),
        ]
        try:
            for name, project, env in plan:
                port = free_port()
                command = [str(project / ".venv" / "bin" / "python"), "-m", package_name(project)]
                server = start(
                    name.replace(" ", "-"), command, cwd=project, env={**env, "PORT": str(port)}, logs=logs, core=core
                )
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
        f"wrk -c{args.connections}; {machine_description()}"
    )
    print(f"load average (1, 5, 15 min) before {load_before}, after {load_after}")
    print(f"{'server':<12} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU µs/req':>11} {'core':>6}")
    for name, row in summary.items():
        print(
            f"{name:<12} {row['requests_per_s']:>8.0f} {row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} "
            f"{row['cpu_us_per_request']:>11.0f} {row['core_share']:>6.2f}"
        )
    base = summary["no-cache"]
    for name in ("cache", "redis-down"):
        print(
            f"{name} / no cache: req/s {summary[name]['requests_per_s'] / base['requests_per_s']:.2f}, "
            f"CPU per request {summary[name]['cpu_us_per_request'] / base['cpu_us_per_request']:.2f}"
        )
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--framework", choices=["fastapi", "django"], default="fastapi")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=3, help="seconds of warm-up per server (0: none)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--server-core", type=int, default=1)
    parser.add_argument("--wrk-core", type=int, default=0)
    parser.add_argument("--no-pin", action="store_true")
    parser.add_argument("--cached-project", help="a rendered, installed project with use_redis=true")
    parser.add_argument("--uncached-project", help="a rendered, installed project with use_redis=false")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as directory:
        summary = run(args, Path(directory))
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
