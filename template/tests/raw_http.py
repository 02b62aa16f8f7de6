"""HTTP/1.1 over a plain socket, for what no client library sends: malformed requests, pipelined ones, a body
that stops halfway."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from typing import Any


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]  # lower-case names; a repeated header keeps its last value
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def connect(base_url: str, timeout: float = 10) -> socket.socket:
    host, port = base_url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=timeout)


def read_response(sock: socket.socket) -> RawResponse:
    """One response (Content-Length or chunked); raises when the server closes the connection before it."""
    stream = sock.makefile("rb", buffering=0)  # unbuffered: nothing past this response is consumed
    status_line = stream.readline()
    if not status_line:
        raise ConnectionError("the server closed the connection without an answer")
    headers: dict[str, str] = {}
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding") == "chunked":
        body = b""
        while size := int(stream.readline(), 16):
            body += _read_exactly(stream, size + 2)[:-2]
        stream.readline()  # the empty trailer
    else:
        body = _read_exactly(stream, int(headers.get("content-length", "0")))
    return RawResponse(int(status_line.split()[1]), headers, body)


def _read_exactly(stream: Any, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            raise ConnectionError("the server closed the connection in the middle of a response")
        data += chunk
    return data


def exchange(base_url: str, request: bytes) -> RawResponse:
    with connect(base_url) as sock:
        sock.sendall(request)
        return read_response(sock)
