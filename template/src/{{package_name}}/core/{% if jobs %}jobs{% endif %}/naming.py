"""Worker names: unique per process, so a restarted worker is never taken for the one it replaces."""

from __future__ import annotations

import os
import secrets
import socket


def worker_name() -> str:
    """`<hostname>-<pid>-<random>`: two workers never share a name, even in containers that all run as pid 1 on
    recycled hostnames. procrastinate marks a worker's jobs stalled by the worker's row, not its name; a name reused
    by a restarted worker would hide which process held a job (procrastinate#1518)."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
