"""The shared server entry (`core/server.py`) as a real process: Ctrl-C, a bounded request head, proxies named
by CIDR. The same file runs in every framework's render."""

from __future__ import annotations

import json
import signal
import socket
import threading
import time

import httpx2 as httpx
import pytest

from .conftest import start_service

pytestmark = pytest.mark.server


def test_ctrl_c_stops_the_server_without_a_traceback() -> None:
    service = start_service()
    service.process.send_signal(signal.SIGINT)
    exit_code = service.process.wait(timeout=15)
    service.collect_output()
    output = service.read_output()
    assert exit_code in (0, 130), output
    assert "Traceback" not in output
    assert "KeyboardInterrupt" not in output


def _send_huge_head(port: int, header_bytes: int, answers: list[bytes]) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        chunk = b"a" * 65536
        try:
            sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: test\r\nX-Huge: ")
            for _ in range(header_bytes // len(chunk)):
                sock.sendall(chunk)
        except OSError:
            pass  # the server answered and closed while we were still sending
        try:
            answers.append(sock.recv(65536))
        except OSError:
            answers.append(b"")


def test_a_huge_request_head_is_refused_and_does_not_stall_other_requests() -> None:
    service = start_service()
    port = int(service.base_url.rsplit(":", 1)[1])
    answers: list[bytes] = []
    senders = [threading.Thread(target=_send_huge_head, args=(port, 64 * 1024 * 1024, answers)) for _ in range(2)]
    try:
        for sender in senders:
            sender.start()
        slowest = 0.0
        while any(sender.is_alive() for sender in senders):
            started = time.perf_counter()
            assert httpx.get(f"{service.base_url}/health/live", timeout=5).status_code == 200
            slowest = max(slowest, time.perf_counter() - started)
            time.sleep(0.02)
        for sender in senders:
            sender.join()
        assert slowest < 0.5
        assert httpx.get(f"{service.base_url}/health/live").status_code == 200
    finally:
        service.stop()
    for answer in answers:
        # The 431 when the client reads it before the connection closes; a reset otherwise, never a 200.
        assert answer == b"" or answer.startswith(b"HTTP/1.1 431 "), answer[:200]
        if answer:
            head, _, body = answer.partition(b"\r\n\r\n")
            assert b"content-type: application/problem+json" in head
            assert json.loads(body)["status"] == 431


def test_a_large_but_acceptable_head_is_served() -> None:
    service = start_service()
    try:
        response = httpx.get(f"{service.base_url}/health/live", headers={"X-Large": "b" * 30_000})
    finally:
        service.stop()
    assert response.status_code == 200


def test_proxies_named_by_cidr_are_trusted() -> None:
    service = start_service({"FORWARDED_ALLOW_IPS": "10.0.0.0/8,127.0.0.0/8"})
    try:
        httpx.get(f"{service.base_url}/health/live", headers={"X-Forwarded-For": "203.0.113.9"})
    finally:
        service.stop()
    lines = [json.loads(line) for line in service.read_output().splitlines() if '"message":"request"' in line]
    assert [line["client"] for line in lines if line["path"] == "/health/live"][-1] == "203.0.113.9"
