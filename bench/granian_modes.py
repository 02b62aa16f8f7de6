"""`GET /health/live` on granian, taken apart: the rendered service in each way granian can run it, against bare
FastAPI and the floor (bare + the contract's headers) on granian, and bare FastAPI on uvicorn.

    uv run python bench/granian_modes.py --project <a server=granian FastAPI render with its .venv>

The render needs `uvicorn[standard]` beside granian for the uvicorn app (`bench/middleware.py --keep` installs it
there; or `uv pip install --python <render>/.venv/bin/python 'uvicorn[standard]'`). Every server is pinned to core 1
and loaded by `wrk -t1 -c64` pinned to core 0, the servers interleaved round by round; the figure is the CPU time of
the server's whole process tree (granian's command line runs a worker process) per request, the one that stays
steady on a shared machine. The service runs with `ENVIRONMENT=development` (no keys or database needed for
`/health/live`); the floor sends exactly the headers the service sent.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from common import clean_env

APPS_DIR = Path(__file__).resolve().parent / "apps"
PATH = "/health/live"
SERVER_CORE, WRK_CORE = "1", "0"
BASE_PORT = 18500
SERVICE_ENV = {
    "HOST": "127.0.0.1",
    "ENVIRONMENT": "development",
    "LOG_LEVEL": "INFO",
    "LOG_FORMAT": "json",
    "CORS_ORIGINS": "https://app.example",
    "DOCS_ENABLED": "false",
    "RATE_LIMIT_DEFAULT": "1000000/second",
    "MIGRATE_ON_START": "false",
}
NOT_CONTRACT_HEADERS = {"content-length", "content-type", "date", "server"}


def granian_command(project: Path, *options: str) -> list[str]:
    return [
        str(project / ".venv" / "bin" / "granian"),
        *("--interface", "asgi", "--workers", "1", "--no-ws", "--http1-buffer-size", "65536"),
        *("--host", "127.0.0.1", "--loop", "uvloop", "--log-level", "warning", "--no-access-log"),
        *options,
    ]


def modes(project: Path, package: str) -> dict[str, Callable[[int], list[str]]]:
    python = str(project / ".venv" / "bin" / "python")
    apps = ("--working-dir", str(APPS_DIR))
    worker_app = f"{package}.core.server:worker_app"
    return {
        "bare FastAPI on granian": lambda port: granian_command(project, *apps, "--port", str(port), "bare:app"),
        "floor on granian": lambda port: granian_command(project, *apps, "--port", str(port), "floor:app"),
        "rendered, embedded (python -m)": lambda port: [python, "-m", package],
        "rendered, granian CLI": lambda port: granian_command(project, "--factory", "--port", str(port), worker_app),
        "rendered, granian CLI st": lambda port: granian_command(
            project, "--factory", "--runtime-mode", "st", "--port", str(port), worker_app
        ),
        "bare FastAPI on uvicorn": lambda port: [
            python,
            str(APPS_DIR / "serve.py"),
            str(APPS_DIR / "bare.py"),
            str(port),
        ],
    }


def get(port: int, timeout: float = 30) -> list[tuple[str, str]]:
    """The headers of one `GET /health/live`, once the server answers."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", PATH)
            response = connection.getresponse()
            response.read()
            return response.getheaders()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def process_tree(pid: int) -> list[int]:
    tree = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if parent in tree:
                tree.append(int(entry.name))
    return tree


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def start(command: list[str], project: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            ["taskset", "-c", SERVER_CORE, *command],
            cwd=project,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(15)


def load(port: int, seconds: int) -> tuple[int, str]:
    command = ["taskset", "-c", WRK_CORE, "wrk", "-t1", "-c64", f"-d{seconds}s", "--latency"]
    output = subprocess.run([*command, f"http://127.0.0.1:{port}{PATH}"], capture_output=True, text=True).stdout
    requests = int(next(line for line in output.splitlines() if "requests in" in line).split()[0])
    p99 = next(line for line in output.splitlines() if line.strip().startswith("99%")).split()[1]
    return requests, p99


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="seconds per measured run")
    parser.add_argument("--logs", type=Path, default=Path("/tmp/granian-modes"))
    args = parser.parse_args()
    project = args.project.resolve()
    package = next(path.parent.name for path in (project / "src").glob("*/__main__.py"))
    args.logs.mkdir(parents=True, exist_ok=True)
    env = clean_env(**SERVICE_ENV)

    probe = start(
        [str(project / ".venv" / "bin" / "python"), "-m", package],
        project,
        {**env, "PORT": "18499"},
        args.logs / "probe.log",
    )
    try:
        sent = get(18499)
    finally:
        stop(probe)
    env["FLOOR_HEADERS"] = json.dumps(
        [[name, value] for name, value in sent if name.lower() not in NOT_CONTRACT_HEADERS]
    )

    servers: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
    figures: dict[str, list[float]] = {}
    try:
        for offset, (name, command) in enumerate(modes(project, package).items(), start=1):
            port = BASE_PORT + offset
            servers[name] = (start(command(port), project, {**env, "PORT": str(port)}, args.logs / f"{port}.log"), port)
        for _, port in servers.values():
            get(port)
            load(port, 1)  # warm-up
        for round_number in range(1, args.runs + 1):
            for name, (process, port) in servers.items():
                pids = process_tree(process.pid)
                before = cpu_seconds(pids)
                requests, p99 = load(port, args.duration)
                used = cpu_seconds(pids) - before
                per_request = used / max(requests, 1) * 1e6
                figures.setdefault(name, []).append(per_request)
                load_average = Path("/proc/loadavg").read_text().split()[0]
                print(
                    f"round {round_number} {name:32s} {per_request:7.1f} µs/req {requests / args.duration:7.0f} req/s"
                    f"  p99 {p99:>9s}  {used / args.duration:4.0%} of a core  load {load_average}",
                    flush=True,
                )
    finally:
        for process, _ in servers.values():
            stop(process)
    baseline = sorted(figures["bare FastAPI on uvicorn"])[len(figures["bare FastAPI on uvicorn"]) // 2]
    print(f"\n{'median CPU per request':40s}     µs   ÷ bare FastAPI on uvicorn (by CPU)")
    for name, values in figures.items():
        median = sorted(values)[len(values) // 2]
        print(f"{name:40s} {median:6.1f}   {baseline / median:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
