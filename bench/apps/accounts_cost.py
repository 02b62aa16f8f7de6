"""What the service's own accounts cost, in process, in an `auth=users` render's venv (run by `bench/accounts.py`).

    python accounts_cost.py <package> <requests> <log>

Prints one JSON line: the argon2id parameters and the time of one hash and one verify; one login (the token
endpoint's password grant, wall time: argon2 dominates it) and one refresh (the refresh_token grant: a rotation in
the database), medians through the whole app as an ASGI callable; and `GET /api/v1/items/{id}` with the login's
access token, thread CPU time per request, best of 7 rounds, the item in memory (no query). The database is the
migrated SQLite file of DATABASE_URL holding the account `bench.py` created; production settings otherwise.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_cost import SERVICE_ENV, call, cost_us, http_scope, serve_one_item

ROUNDS = 7
EMAIL = "bench@example.com"
PASSWORD = "bench passphrase of the accounts benchmark"
TOKEN_PATH = "/api/v1/auth/token"
FORM = ((b"content-type", b"application/x-www-form-urlencoded"),)


def argon2_costs(package: str, tries: int = 10) -> dict[str, Any]:
    passwords = importlib.import_module(f"{package}.users.passwords").Passwords()
    hasher = passwords._hash.hashers[0]._hasher  # pwdlib's Argon2Hasher wraps argon2-cffi's PasswordHasher
    stored = passwords.hash_sync(PASSWORD)
    hash_s, verify_s = [], []
    for _ in range(tries):
        started = time.perf_counter()
        passwords.hash_sync(PASSWORD)
        hash_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        passwords.verify_sync(PASSWORD, stored)
        verify_s.append(time.perf_counter() - started)
    return {
        "argon2": {
            "variant": stored.split("$")[1],
            "memory_kib": hasher.memory_cost,
            "time_cost": hasher.time_cost,
            "parallelism": hasher.parallelism,
        },
        "hash_ms": statistics.median(hash_s) * 1e3,
        "verify_ms": statistics.median(verify_s) * 1e3,
    }


async def grant(app: Any, form: dict[str, str]) -> tuple[float, dict[str, Any]]:
    body = urlencode(form).encode()
    headers = (*FORM, (b"content-length", str(len(body)).encode()))
    started = time.perf_counter()
    messages = await call(app, http_scope(TOKEN_PATH, "POST", headers), body)
    elapsed = time.perf_counter() - started
    if messages[0]["status"] != 200:
        raise SystemExit(f"{form['grant_type']}: {messages[0]['status']} {messages[1]['body'][:300]!r}")
    answer: dict[str, Any] = json.loads(messages[1]["body"])
    return elapsed, answer


async def measure(package: str, requests: int, log_path: str) -> None:
    os.environ.update({**SERVICE_ENV, "AUTH_LOGIN_LIMIT_PER_ACCOUNT": "1000000/hour"})
    os.environ["AUTH_LOGIN_LIMIT_PER_ADDRESS"] = "1000000/hour"
    settings = importlib.import_module(f"{package}.config").load_settings()
    figures = argon2_costs(package)
    with open(log_path, "w") as access_log:
        app = importlib.import_module(f"{package}.app").create_app(settings, access_log_stream=access_log)
        item_id = serve_one_item(package, app)
        async with app.router.lifespan_context(app):
            login = {"grant_type": "password", "username": EMAIL, "password": PASSWORD}
            logins = [await grant(app, login) for _ in range(10)]
            tokens = logins[-1][1]
            refreshes = []
            for _ in range(50):
                elapsed, tokens = await grant(
                    app, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
                )
                refreshes.append(elapsed)
            headers = ((b"authorization", f"Bearer {tokens['access_token']}".encode()),)
            path = f"/api/v1/items/{item_id}"
            status = (await call(app, http_scope(path, headers=headers)))[0]["status"]
            if status != 200:
                raise SystemExit(f"GET {path} answered {status}")
            item_us = min([await cost_us(app, path, requests, headers) for _ in range(ROUNDS)])
    figures.update(
        login_ms=statistics.median(elapsed for elapsed, _ in logins) * 1e3,
        refresh_ms=statistics.median(refreshes) * 1e3,
        item_us=item_us,
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(measure(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
