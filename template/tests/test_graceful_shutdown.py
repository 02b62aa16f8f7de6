"""SIGTERM: every request a client has sent is answered, and what is still running when GRACEFUL_TIMEOUT ends
gets a 503 problem it can retry elsewhere."""

from __future__ import annotations

import select
import signal
import time

import pytest

from .processes import RunningService, start_service
from .raw_http import connect, read_response

pytestmark = pytest.mark.server


def wait_for_log(service: RunningService, text: str, timeout: float = 30) -> None:
    """Read the process's output until a line contains `text` (the lines read stay in `service.output`)."""
    assert service.process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([service.process.stdout], [], [], deadline - time.monotonic())
        line = service.process.stdout.readline() if ready else ""
        service.output.append(line)
        if text in line:
            return
        if not line and service.process.poll() is not None:
            break
    service.kill()
    raise AssertionError(f"no log line with {text!r} within {timeout} s; the output:\n{service.read_output()}")


def test_every_request_sent_before_sigterm_is_answered() -> None:
    """A burst sent at once, then SIGTERM: none of it is dropped, wherever the server was in reading it."""
    service = start_service({"GRACEFUL_TIMEOUT": "10"})
    connections = [connect(service.base_url) for _ in range(32)]
    answers: list[int | str] = []
    try:
        for index, sock in enumerate(connections):
            sock.sendall(f"GET /health/live HTTP/1.1\r\nHost: test\r\nX-Request-ID: burst-{index}\r\n\r\n".encode())
        service.send_stop_signal()
        for sock in connections:
            try:
                response = read_response(sock)
            except OSError as error:
                answers.append(repr(error))
            else:
                answers.append(response.status)
    finally:
        for sock in connections:
            sock.close()
        service.stop()
    assert answers == [200] * 32, service.read_output()


def test_a_request_the_server_has_begun_to_read_is_served_after_sigterm() -> None:
    """The server has read the first part of a second request on a kept-alive connection when SIGTERM arrives:
    it waits for the rest, answers, then closes (it used to close the connection as if it were idle)."""
    service = start_service({"GRACEFUL_TIMEOUT": "10"})
    try:
        with connect(service.base_url) as sock:
            # One write: the server reads the beginning of the second request together with the first.
            sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: test\r\n\r\nGET /health/live HTTP/1.1\r\nHost: test\r\n")
            assert read_response(sock).status == 200
            service.send_stop_signal()
            wait_for_log(service, "Shutting down")  # connections have been told to close by now
            sock.sendall(b"X-Request-ID: second\r\n\r\n")
            second = read_response(sock)
            assert sock.recv(1) == b""  # then the server closes
    finally:
        exit_code = service.stop()
    assert second.status == 200
    assert second.headers["x-request-id"] == "second"
    assert second.headers["connection"] == "close"
    assert exit_code in (0, -signal.SIGTERM)


def test_a_request_still_running_when_the_graceful_timeout_ends_gets_a_503_problem() -> None:
    service = start_service({"GRACEFUL_TIMEOUT": "1"})
    head = "".join(f"{name}: {value}\r\n" for name, value in service.auth.items())
    try:
        with connect(service.base_url) as sock:
            # A body that never completes: the request is running (reading it) when the timeout ends.
            sock.sendall(
                b"POST /api/v1/items HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                b"Content-Length: 100\r\nX-Request-ID: unfinished\r\n" + head.encode() + b'\r\n{"name": '
            )
            service.send_stop_signal()
            response = read_response(sock)
    finally:
        exit_code = service.stop()
    assert response.status == 503, response.body
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["connection"] == "close"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-request-id"] == "unfinished"
    assert response.json()["request_id"] == "unfinished"
    assert '"request_id":"unfinished"' in service.read_output()
    assert exit_code in (0, -signal.SIGTERM)
