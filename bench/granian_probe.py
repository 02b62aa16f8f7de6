"""Re-check what `granian-findings.md` records about granian against the service contract (no template involved).

Run it with an interpreter that has granian and FastAPI (granian is not a dependency of the template repo):

    uv venv -p 3.12 /tmp/granian-probe && uv pip install --python /tmp/granian-probe granian==2.8.7 fastapi
    /tmp/granian-probe/bin/python bench/granian_probe.py

Each check prints `ok` or `FAIL` with what was seen; the exit status is the number of failures. The server runs in
a child process (this file with `--serve PORT`): granian's embedded server in our own asyncio loop, with our own
SIGTERM/SIGINT handler, which is the design a `server=granian` option would use.
"""

# No `from __future__ import annotations`: FastAPI resolves the routes' annotations at run time, and the routes are
# defined in `serve` with imports local to it (granian and FastAPI are not dependencies of the template repo).
import asyncio
import http.client
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

HEAD_LIMIT = 64 * 1024


def serve(port: int) -> None:
    """The child: a FastAPI app under granian's embedded server; prints events so the parent can check their order."""
    from contextlib import asynccontextmanager

    from fastapi import BackgroundTasks, FastAPI, Request
    from fastapi.responses import StreamingResponse
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings
    from granian.server.embed import Server
    from granian.utils.proxies import wrap_asgi_with_proxy_headers

    def event(name: str) -> None:
        print(f"EVENT {name}", flush=True)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> Any:
        yield
        event("lifespan-shutdown")

    app = FastAPI(lifespan=lifespan)

    @app.get("/slow")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(2)
        event("slow-finished")
        return {"status": "ok"}

    @app.get("/client")
    async def client(request: Request) -> dict[str, str | None]:
        return {"client": request.client.host if request.client else None}

    @app.get("/stream")
    async def stream(background: BackgroundTasks) -> StreamingResponse:
        async def chunks() -> Any:
            for i in range(3):
                yield f"{i}\n"

        background.add_task(event, "background-ran")
        return StreamingResponse(chunks(), background=background)

    async def main() -> None:
        # Only 127.0.0.1 is trusted: the parent connects from there, so its X-Forwarded-For is honoured.
        server = Server(
            wrap_asgi_with_proxy_headers(app, "127.0.0.1"),
            address="127.0.0.1",
            port=port,
            interface=Interfaces.ASGI,
            log_access=False,
            http1_settings=HTTP1Settings(max_buffer_size=HEAD_LIMIT),
        )
        loop = asyncio.get_running_loop()

        def on_signal() -> None:
            event("signal")  # where a service would call `state.begin_shutdown()`
            server.stop()

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, on_signal)
        await server.serve()
        event("served")

    asyncio.run(main())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def raw_head(port: int, header_bytes: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /client HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * header_bytes + b"\r\n\r\n")
        return sock.recv(200)


def main() -> int:
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]))
        return 0
    port = free_port()
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    failures = 0

    def check(name: str, passed: bool, seen: object) -> None:
        nonlocal failures
        failures += not passed
        print(f"{'ok  ' if passed else 'FAIL'} {name}: {seen!r}")

    try:
        for _ in range(100):
            try:
                get(port, "/client")
                break
            except OSError:
                time.sleep(0.1)
        _status, headers, _body = get(port, "/client")
        check("no Server header", "server" not in headers, headers.get("server"))
        check(
            "X-Forwarded-For from a trusted peer",
            b"9.9.9.9" in get(port, "/client", {"X-Forwarded-For": "9.9.9.9"})[2],
            "",
        )
        check("60 000-byte head served", raw_head(port, 60_000).startswith(b"HTTP/1.1 200"), "")
        check("70 000-byte head refused", raw_head(port, 70_000).startswith(b"HTTP/1.1 431"), "")
        check("streaming body", get(port, "/stream")[2] == b"0\n1\n2\n", "")

        slow: dict[str, int] = {}
        thread = threading.Thread(target=lambda: slow.update(status=get(port, "/slow")[0]))
        thread.start()
        time.sleep(0.5)
        child.send_signal(signal.SIGTERM)
        thread.join(10)
        check("in-flight request finished after SIGTERM", slow.get("status") == 200, slow)
        returncode = child.wait(10)
        check("exit status 0 or 143", returncode in (0, 143), returncode)
    finally:
        if child.poll() is None:
            child.kill()
    output = child.stdout.read() if child.stdout else ""
    events = [line.removeprefix("EVENT ") for line in output.splitlines() if line.startswith("EVENT ")]
    check("background task ran", "background-ran" in events, events)
    check(
        "lifespan shutdown only after the drain (so readiness must turn at the signal)",
        events[-4:] == ["signal", "slow-finished", "lifespan-shutdown", "served"],
        events,
    )
    check("no traceback", "Traceback" not in output, output[-500:] if "Traceback" in output else "")
    return failures


if __name__ == "__main__":
    sys.exit(main())
