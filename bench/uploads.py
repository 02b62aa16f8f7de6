"""Whether a large upload streams: the service process's memory while a 200 MB file goes through
`POST /api/v1/files` (and back out through `GET /api/v1/files/{id}/content`), per framework and per store.

For each framework it renders `file_storage=true` (SQLite, no accounts: the files path is the same with any
database and auth, and nothing else needs a service of its own), installs it (`uv sync --locked`: moto, a dev
dependency, serves S3), starts moto in server mode, and runs the service as production does (`python -m <package>`).
Then, once per store (`local`: a directory; `s3`: moto over HTTP, so every 8 MiB part is a real request), it:

1. uploads a small file first, so the store's code (boto3) is loaded before the baseline;
2. samples the RSS of the service's process tree (/proc, every 20 ms) while it streams a 200 MB PNG-headed body
   upload, chunked (no Content-Length, as a browser's streamed upload), 1 MiB at a time;
3. downloads it back and checks its size, still sampling.

It prints, per framework and store, the RSS before, the peak growth during the upload and during the download, and
what is left after. A peak growth far below the file's size is a stream; near it, a buffer.

    uv run python bench/uploads.py                                  # both frameworks, both stores, 200 MB
    uv run python bench/uploads.py --framework django --store s3
    uv run python bench/uploads.py --size-mb 20                     # a quick look
    uv run python bench/uploads.py --project /tmp/files-fa          # a render installed already (file_storage=true)
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import clean_env, machine_description, python_interpreter, render
from middleware import free_port, package_name

PNG_HEAD = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 2
MIB = 1024 * 1024
BUCKET = "bench-uploads"


def answers(framework: str) -> dict[str, str]:
    return {"framework": framework, "file_storage": "true", "database": "sqlite", "jobs": "false", "auth": "none"}


def prepare(framework: str, project: str | None, workdir: Path) -> Path:
    if project:
        return Path(project).resolve()
    target = workdir / framework
    print(f"rendering {framework} with file_storage=true into {target}", flush=True)
    render(target, answers(framework))
    version = (target / ".python-version").read_text().strip()
    env = clean_env(UV_PYTHON=python_interpreter(version))
    print("installing it: uv sync --locked", flush=True)
    subprocess.run(["uv", "sync", "--locked", "--quiet"], cwd=target, env=env, check=True)
    return target


def rss_of_tree(pid: int) -> int:
    """Resident bytes of `pid` and its descendants (a server may run its app in a child process)."""
    total, waiting = 0, [pid]
    while waiting:
        current = waiting.pop()
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                waiting += [int(child) for child in (task / "children").read_text().split()]
    return total


class Sampler:
    """The peak RSS of a process tree since `reset`, sampled every 20 ms in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def reset(self) -> int:
        now = rss_of_tree(self.pid)
        self.peak = now
        return now

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_of_tree(self.pid))


def body(size: int) -> Iterator[bytes]:
    yield PNG_HEAD
    chunk = b"\x00" * MIB
    sent = len(PNG_HEAD)
    while sent < size:
        piece = chunk[: min(MIB, size - sent)]
        sent += len(piece)
        yield piece


def upload(port: int, size: int) -> dict[str, object]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request(
        "POST",
        "/api/v1/files?name=big.png",
        body=body(size),
        headers={"Content-Type": "image/png"},
        encode_chunked=True,
    )
    response = connection.getresponse()
    answer = response.read()
    connection.close()
    if response.status != 201:
        raise SystemExit(f"the upload answered {response.status}: {answer[:500]!r}")
    return dict(json.loads(answer))


def download(port: int, file_id: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request("GET", f"/api/v1/files/{file_id}/content")
    response = connection.getresponse()
    received = 0
    while piece := response.read(MIB):
        received += len(piece)
    connection.close()
    if response.status != 200:
        raise SystemExit(f"the download answered {response.status}")
    return received


@dataclass
class Figure:
    framework: str
    store: str
    before: int
    upload_peak: int
    download_peak: int
    after: int
    seconds: float


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health/live")
            if connection.getresponse().status in {200, 404}:  # moto answers 404 there: it listens
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing listened on {port}:\n{log.read_text()[-3000:]}")


def start(command: list[str], *, cwd: Path, env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
    wait_for_port(port, process, log)
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def measure(project: Path, framework: str, store: str, size: int, workdir: Path, s3: str) -> Figure:
    python = str(project / ".venv" / "bin" / "python")
    port = free_port()
    data = workdir / f"{framework}-{store}"
    data.mkdir()
    env = {
        **clean_env(PYTHONDONTWRITEBYTECODE="1"),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "ENVIRONMENT": "production",
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "json",
        "DOCS_ENABLED": "false",
        "RATE_LIMIT_ENABLED": "false",
        "SECRET_KEY": "bench-" + "x" * 60,
        "DATABASE_URL": f"sqlite:///{data / 'service.db'}",
        "FILES_STORE": store,
        "FILES_DIRECTORY": str(data / "files"),
        "FILES_MAX_SIZE": str(size + MIB),
        "S3_ENDPOINT_URL": s3,
        "S3_BUCKET": BUCKET,
        "S3_ACCESS_KEY_ID": "bench",
        "S3_SECRET_ACCESS_KEY": "bench-secret",
        "S3_REGION": "us-east-1",
    }
    env.pop("SENTRY_DSN", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    migrated = subprocess.run(
        [python, "-m", package_name(project), "migrate"], cwd=project, env=env, capture_output=True, text=True
    )
    if migrated.returncode != 0:
        raise SystemExit(f"migrate failed:\n{migrated.stdout}\n{migrated.stderr}")
    log = data / "service.log"
    server = start([python, "-m", package_name(project)], cwd=project, env=env, port=port, log=log)
    try:
        upload(port, 64 * 1024)  # the store's code loaded, its client made: not counted as the upload's
        with Sampler(server.pid) as sampler:
            before = sampler.reset()
            started = time.monotonic()
            created = upload(port, size)
            upload_peak = sampler.peak
            seconds = time.monotonic() - started
            if created["size_bytes"] != size:
                raise SystemExit(f"stored {created['size_bytes']} bytes, not {size}")
            sampler.reset()
            if download(port, str(created["id"])) != size:
                raise SystemExit("the download is not the upload")
            download_peak = sampler.peak
            after = rss_of_tree(server.pid)
    finally:
        stop(server)
    return Figure(framework, store, before, upload_peak - before, download_peak - before, after - before, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--framework", choices=["fastapi", "django"], action="append")
    parser.add_argument("--store", choices=["local", "s3"], action="append")
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--project", action="append", default=[], help="installed file_storage renders, in order")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    frameworks = args.framework or ["fastapi", "django"]
    stores = args.store or ["local", "s3"]
    size = args.size_mb * 1000 * 1000
    print(machine_description(), flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="bench-uploads-"))
    figures: list[Figure] = []
    try:
        given: list[str | None] = [*args.project, *[None] * len(frameworks)][: len(frameworks)]
        projects = [prepare(name, path, workdir) for name, path in zip(frameworks, given, strict=True)]
        moto_port = free_port()
        moto_python = str(projects[0] / ".venv" / "bin" / "python")
        moto_log = workdir / "moto.log"
        moto = start(
            [moto_python, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
            cwd=workdir,
            env=clean_env(),
            port=moto_port,
            log=moto_log,
        )
        s3 = f"http://127.0.0.1:{moto_port}"
        try:
            made = http.client.HTTPConnection("127.0.0.1", moto_port)
            made.request("PUT", f"/{BUCKET}")
            made.getresponse().read()
            for framework, project in zip(frameworks, projects, strict=True):
                for store in stores:
                    figure = measure(project, framework, store, size, workdir, s3)
                    figures.append(figure)
                    print(
                        f"{framework:8} {store:5}  RSS before {figure.before / MIB:7.1f} MiB  "
                        f"peak growth: upload {figure.upload_peak / MIB:6.1f} MiB, "
                        f"download {figure.download_peak / MIB:6.1f} MiB  "
                        f"left after {figure.after / MIB:6.1f} MiB  "
                        f"({args.size_mb} MB up in {figure.seconds:.1f} s)",
                        flush=True,
                    )
        finally:
            stop(moto)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(machine_description(), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps([figure.__dict__ for figure in figures], indent=2) + "\n")
    if not figures:
        raise SystemExit("nothing measured")


if __name__ == "__main__":
    main()
