"""A test mailbox for the shipped end-to-end suite: a real SMTP server on loopback (aiosmtpd) that keeps what the
service's worker sends, read over HTTP through the part of Mailpit's API the suite uses (`GET /api/v1/messages`,
newest first, and `GET /api/v1/message/{ID}`), so the suite runs here as it runs against a compose stack's Mailpit.

    with MailSink.serving() as sink:
        service_env["MAIL_SMTP_URL"] = sink.smtp_url
        suite_env["E2E_MAILBOX_URL"] = sink.http_url
"""

from __future__ import annotations

import http.server
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from .redis_server import free_port


class _Store:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[dict[str, Any]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        assert isinstance(message, EmailMessage)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        recipients = [str(value) for value in message.get_all("To", [])]
        with self.lock:
            self.messages.append(
                {
                    "ID": uuid.uuid4().hex,
                    "Created": datetime.now(UTC).isoformat(),
                    "Subject": str(message["Subject"] or ""),
                    "To": [{"Name": name, "Address": address} for name, address in getaddresses(recipients)],
                    "Text": text.get_content() if text is not None else "",
                    "HTML": html.get_content() if html is not None else "",
                }
            )
        return "250 Message accepted for delivery"


def _handler(store: _Store) -> type[http.server.BaseHTTPRequestHandler]:
    class MailpitApi(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            with store.lock:
                messages = list(store.messages)
            if path == "/api/v1/messages":
                summaries = [{key: value for key, value in m.items() if key not in ("Text", "HTML")} for m in messages]
                self._json(200, {"total": len(messages), "messages": summaries[::-1]})
            elif path.startswith("/api/v1/message/"):
                found = [m for m in messages if m["ID"] == path.rsplit("/", 1)[1]]
                self._json(200, found[0]) if found else self._json(404, {"error": "no such message"})
            else:
                self._json(404, {"error": "not part of the test mailbox's API"})

        def _json(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return MailpitApi


class MailSink:
    def __init__(self, store: _Store, smtp_port: int, http_port: int) -> None:
        self._store = store
        self.smtp_url = f"smtp://127.0.0.1:{smtp_port}"  # plain SMTP: the services allow it on loopback
        self.http_url = f"http://127.0.0.1:{http_port}"

    @property
    def recipients(self) -> list[str]:
        with self._store.lock:
            return [recipient["Address"] for message in self._store.messages for recipient in message["To"]]

    @classmethod
    @contextmanager
    def serving(cls) -> Iterator[MailSink]:
        store = _Store()
        controller = Controller(store, hostname="127.0.0.1", port=free_port())
        controller.start()
        api = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(store))
        thread = threading.Thread(target=api.serve_forever, daemon=True)
        thread.start()
        try:
            yield cls(store, controller.port, api.server_address[1])
        finally:
            api.shutdown()
            api.server_close()
            controller.stop()
