"""What a bearer token costs, in process, in a rendered project's venv (run by `bench/auth.py`).

    python auth_cost.py verify <package> <calls>            # TokenVerifier: RS256 / HS256, first sight and cached
    python auth_cost.py request <package> <requests> <log>  # the whole app: GET /api/v1/items/{id}, thread CPU time
    python auth_cost.py request <package> <requests> <log> memory  # the same, the item kept in memory (no SQL)

`verify` serves an RSA key set from a JWKS endpoint on loopback (the real fetch path) and signs tokens with PyJWT;
each figure is the best of 7 rounds of thread CPU time per call. `request` calls the rendered app as an ASGI
callable (production settings, SQLite), with a bearer token when the project verifies them (`auth=jwt`): run it in
an `auth=none` render of the same answers for the unauthenticated figure. With `memory` the route's repository
holds the one item in memory: no query, so the run-to-run noise of SQLite (±50 µs) no longer hides a 15 µs difference.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import json
import secrets
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_cost import AUTH_AUDIENCE as AUDIENCE
from app_cost import AUTH_ISSUER as ISSUER
from app_cost import AUTH_SECRET as SECRET
from app_cost import bearer_headers, call, cost_us, http_scope, serve_one_item, service_environment
from fixtures import ITEM_BODY

ROUNDS = 7


def best_us(function: Callable[[], object], calls: int) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.thread_time()
        for _ in range(calls):
            function()
        best = min(best, (time.thread_time() - started) / calls * 1e6)
    return best


def claims(index: int) -> dict[str, Any]:
    now = int(time.time())
    scope = "items:read items:write"
    return {"iss": ISSUER, "aud": AUDIENCE, "sub": f"user-{index}", "scope": scope, "iat": now, "exp": now + 3600}


def jwks_server(public_jwk: dict[str, Any]) -> tuple[ThreadingHTTPServer, str]:
    body = json.dumps({"keys": [public_jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/jwks.json"


def verification_costs(verifier: Any, sign: Callable[[dict[str, Any]], str], calls: int) -> tuple[float, float]:
    """µs per `authenticate_sync`: a token never seen before (the verifier keeps 10, these cycle through 500, so every
    call is a miss: signature and claims checked), and one token repeated (a hash and a look-up)."""
    fresh = [f"Bearer {sign({**claims(index), 'jti': secrets.token_hex(8)})}" for index in range(500)]
    position = iter(range(10**9))
    first_us = best_us(lambda: verifier.authenticate_sync(fresh[next(position) % len(fresh)]), calls)
    repeated = fresh[0]
    verifier.authenticate_sync(repeated)
    cached_us = best_us(lambda: verifier.authenticate_sync(repeated), calls * 20)
    return first_us, cached_us


def verify(package: str, calls: int) -> None:
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    auth = importlib.import_module(f"{package}.core.auth")
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_jwk = {**json.loads(RSAAlgorithm.to_jwk(private.public_key())), "kid": "bench-1", "alg": "RS256"}
    server, url = jwks_server(public_jwk)
    rs = auth.TokenVerifier(
        jwks=auth.JwksKeys(url, ["RS256"]), issuer=ISSUER, audience=AUDIENCE, algorithms=["RS256"], cache_size=10
    )
    asyncio.run(rs.start())
    hs = auth.TokenVerifier(
        secret=SECRET.encode(), issuer=ISSUER, audience=AUDIENCE, algorithms=["HS256"], cache_size=10
    )
    signers = {
        "RS256": (rs, lambda c: jwt.encode(c, private, algorithm="RS256", headers={"kid": "bench-1"})),
        "HS256": (hs, lambda c: jwt.encode(c, SECRET, algorithm="HS256")),
    }
    print(f"  {'algorithm':<10} {'first sight':>12} {'cached':>9} {'cached / first':>15}")
    for name, (verifier, sign) in signers.items():
        first_us, cached_us = verification_costs(verifier, sign, calls)
        print(f"  {name:<10} {first_us:9.1f} us {cached_us:6.2f} us {cached_us / first_us:15.4f}")
    rs.close()
    server.shutdown()


async def request(package: str, requests: int, log_path: str, in_memory: bool = False) -> None:
    has_auth = service_environment(package, str(Path(log_path).parent))
    settings = importlib.import_module(f"{package}.config").load_settings()
    headers = bearer_headers(package, settings, has_auth)
    with open(log_path, "w") as access_log:
        create_app = importlib.import_module(f"{package}.app").create_app
        app = create_app(settings, access_log_stream=access_log)
        if in_memory:
            item_id = serve_one_item(package, app)
        async with app.router.lifespan_context(app):
            if not in_memory:
                body = json.dumps(ITEM_BODY).encode()
                post = ((b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers)
                created = await call(app, http_scope("/api/v1/items", "POST", post), body)
                item_id = json.loads(created[1]["body"])["id"]
            path = f"/api/v1/items/{item_id}"
            status = (await call(app, http_scope(path, headers=headers)))[0]["status"]
            if status != 200:
                raise SystemExit(f"GET {path} answered {status}")
            best = min([await cost_us(app, path, requests, headers) for _ in range(ROUNDS)])
    print(json.dumps({"auth": has_auth, "us_per_request": best}))


if __name__ == "__main__":
    if sys.argv[1] == "verify":
        verify(sys.argv[2], int(sys.argv[3]))
    else:
        asyncio.run(request(sys.argv[2], int(sys.argv[3]), sys.argv[4], in_memory=sys.argv[5:] == ["memory"]))
