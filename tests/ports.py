"""Ports for the servers the tests start, that no other process of the run is handed meanwhile.

A port found free by binding port 0 is in the ephemeral range, where every other test process looks too (the other
xdist worker's, and the rendered projects' own suites): between the moment a port is found and the moment the server
binds it, another process was once handed the same one, so the server failed to start ("address already in use")
while the other process answered its readiness check. Here each xdist worker counts through a block of its own below
the ephemeral range (32768-60999 on Linux), skipping ports something already holds.
"""

from __future__ import annotations

import itertools
import os
import socket

_BASE = 20_000
_BLOCK = 2_000  # ports per worker: a run starts a few hundred servers per worker
_taken = itertools.count()


def _worker_index() -> int:
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")  # "gw0", "gw1", ... under xdist
    digits = name.removeprefix("gw")
    return int(digits) % 6 if digits.isdigit() else 0  # six blocks fit below 32768


def free_port() -> int:
    """A port of this worker's block that nothing holds now (each port handed out once per block round)."""
    start = _BASE + _worker_index() * _BLOCK
    for _ in range(_BLOCK):
        port = start + next(_taken) % _BLOCK
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError(f"every port of {start}-{start + _BLOCK - 1} is in use")
