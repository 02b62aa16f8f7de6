"""A local stand-in for Sentry's ingestion (the DSN host in tests) and the secrets the tests plant for it."""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from .bearer import KEY_SETTING, claims, sign
from .contract.service import Service

# Distinct, greppable values: if any of them shows up in the bytes the SDK sent, a secret leaked.
# A bearer token each variant with tokens accepts (valid until 2038; `auth=none` services ignore it), so the planted
# request reaches the failing route and the token itself is one of the secrets that must never reach Sentry.
PLANTED_CLAIMS = {
    **claims(subject="sentry-planted-subject"),
    "iat": 1_700_000_000,
    "exp": 2_147_483_647,
    "jti": "planted-token-id",
}
PLANTED = {
    **{f"authorization header ({auth})": f"Bearer {sign(PLANTED_CLAIMS, auth=auth)}" for auth in KEY_SETTING},
    "cookie header": "sess-COOKIE4a8b2c6d",
    "x-api-key header": "apikey-XKEY9d1e5f3a",
    "body field": "pw-BODY2c7e9a4f",
    "nested body field": "4111-NESTED-1111-1111",
    "nested body token": "tok-DEEP8e2f4a6c",
    "query parameter": "qs-QUERY5b3d7f1e",
}
REQUEST_ID = "sentry-planted-secrets-1"


class EnvelopeSink:
    """A stand-in for Sentry's ingestion: collects every envelope POSTed to /api/<project>/envelope/."""

    def __init__(self) -> None:
        self.envelopes: list[bytes] = []
        self.paths: list[str] = []
        self._lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                if self.headers.get("content-encoding") == "gzip":
                    body = gzip.decompress(body)
                with sink._lock:
                    sink.envelopes.append(body)
                    sink.paths.append(self.path)
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def dsn(self) -> str:
        return f"http://publickey@127.0.0.1:{self.server.server_address[1]}/1"

    def raw(self) -> bytes:
        with self._lock:
            return b"\n".join(self.envelopes)

    def events(self) -> list[dict[str, Any]]:
        """The `event` items of every envelope (an envelope: header line, then item header + payload pairs)."""
        events = []
        with self._lock:
            envelopes = list(self.envelopes)
        for envelope in envelopes:
            lines = envelope.split(b"\n")
            for index in range(1, len(lines) - 1):
                try:
                    header = json.loads(lines[index])
                except ValueError:
                    continue
                if isinstance(header, dict) and header.get("type") == "event":
                    events.append(json.loads(lines[index + 1]))
        return events

    def wait_for_event(self, timeout: float = 15) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            events = self.events()
            if events:
                return events[0]
            time.sleep(0.05)
        raise AssertionError(f"no event reached the sink within {timeout} s (envelopes: {len(self.envelopes)})")


@contextmanager
def running_sink() -> Iterator[EnvelopeSink]:
    sink = EnvelopeSink()
    sink.thread.start()
    try:
        yield sink
    finally:
        sink.server.shutdown()
        sink.server.server_close()


def plant_secrets_and_fail(service: Service) -> httpx.Response:
    auth = service.project.answers["auth"]
    with service.client() as client:
        return client.request(
            "GET",
            "/api/v1/debug/error",
            params={"page": "2", "access_token": PLANTED["query parameter"]},
            headers={
                "Authorization": PLANTED[f"authorization header ({auth if auth in KEY_SETTING else 'jwt'})"],
                "Cookie": f"session={PLANTED['cookie header']}",
                "X-Api-Key": PLANTED["x-api-key header"],
                "X-Request-ID": REQUEST_ID,
            },
            json={
                "password": PLANTED["body field"],
                "profile": {
                    "note": "kept",
                    "payment": {"card_number": PLANTED["nested body field"]},
                    "sessions": [{"refreshToken": PLANTED["nested body token"]}],
                },
            },
        )
