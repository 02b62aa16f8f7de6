"""A real `redis-server` on a free 127.0.0.1 port, started, killed, frozen and restarted by the tests themselves."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from .ports import free_port


def redis_server_binary() -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (it is listed in .ci/apt-packages: apt-get install redis-server)")
    return binary


@dataclass
class RedisServer:
    """One redis-server process; `restart()` keeps the port (a fresh, empty server: scripts and keys are gone)."""

    port: int
    workdir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        log = (self.workdir / f"redis-{self.port}.log").open("ab")
        self.process = subprocess.Popen(
            [
                redis_server_binary(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.command("PING") == "+PONG":
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def command(self, *parts: str) -> str | None:
        """Send one command (RESP); the first reply line, or None when nothing answers."""
        request = f"*{len(parts)}\r\n" + "".join(f"${len(part.encode())}\r\n{part}\r\n" for part in parts)
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(request.encode())
                return sock.recv(4096).decode().split("\r\n")[0]
        except OSError:
            return None

    def keys(self, pattern: str = "*") -> int:
        reply = self.command("EVAL", "return #redis.call('KEYS', ARGV[1])", "0", pattern)
        return int(reply.lstrip(":")) if reply else -1

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def freeze(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def restart(self) -> None:
        self.kill()
        self.start()


def start_redis(workdir: Path) -> RedisServer:
    return RedisServer(free_port(), workdir).start()
