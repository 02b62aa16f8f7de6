"""Structured logging: one format (JSON or console) for application, server and access lines.

Application code logs through the standard `logging` module; every line carries the current request id.
Access lines take a faster path (`AccessLog`) that writes the same format straight to the same stream: the
`logging` machinery costs about as much as the rest of the middleware stack together. An access line names the
path, never the query string.

No token reaches a line: every line that goes through `logging` (the servers' own, such as uvicorn's
`"WebSocket /path?token=..." 403` for a refused handshake, and libraries' debug lines with request headers) has its
message, exception and fields redacted (`redaction.py`: sensitive `name=value` pairs and anything shaped like a JWT).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from json.encoder import encode_basestring as _json_string  # json.dumps(ensure_ascii=False) of one str, in C
from typing import IO, Any, Final

from .redaction import redact
from .request_context import current_request_id
from .settings import LogFormat, ServiceSettings
from .trace_context import trace_ids

# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged as a field.
_RECORD_ATTRIBUTES: Final = frozenset(vars(logging.makeLogRecord({})).keys()) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's ANSI-coloured duplicate of the message
    "request",  # the request object a web framework may attach to its records; the request id names it
}


# The formatted second of the last timestamp: many lines share a second, and strftime is the slow part.
_last_second: tuple[int, str] = (-1, "")


def utc_timestamp(epoch_seconds: float) -> str:
    global _last_second  # noqa: PLW0603 (a one-entry cache, replaced as a whole so threads never see half of it)
    seconds = int(epoch_seconds)
    millis = int((epoch_seconds - seconds) * 1000)
    cached_second, text = _last_second
    if cached_second != seconds:
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
        _last_second = (seconds, text)
    return f"{text}.{millis:03d}Z"


def render(fields: dict[str, Any], log_format: LogFormat) -> str:
    """Render one log line (without the newline). `fields` starts with timestamp, level, logger, message."""
    if log_format == "json":
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":"), default=str)
    head = f"{fields['timestamp']} {fields['level']:<8} {fields['logger']}: {fields['message']}"
    rest = " ".join(f"{key}={value}" for key, value in fields.items() if key not in _CONSOLE_HEAD and value is not None)
    exception = fields.get("exception")
    line = f"{head} {rest}" if rest else head
    return f"{line}\n{exception}" if exception else line


_CONSOLE_HEAD: Final = frozenset({"timestamp", "level", "logger", "message", "exception"})


class StructuredFormatter(logging.Formatter):
    def __init__(self, log_format: LogFormat) -> None:
        super().__init__()
        self.log_format: LogFormat = log_format

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "timestamp": utc_timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            # A line written outside a request may name the request it belongs to (a job's start and outcome).
            "request_id": current_request_id() or record.__dict__.get("request_id"),
        }
        if ids := trace_ids():  # inside a traced request or job: the trace this line belongs to
            fields["trace_id"], fields["span_id"] = ids
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and key not in fields:
                fields[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            fields["exception"] = redact(self.formatException(record.exc_info))
        return render(fields, self.log_format)


def configure_logging(settings: ServiceSettings, stream: IO[str] | None = None) -> None:
    """Route every logger (ours, uvicorn's, libraries') through one handler in the configured format."""
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(StructuredFormatter(settings.effective_log_format))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    # The access line is ours (AccessLog); uvicorn's would be a duplicate without the request id.
    logging.getLogger("uvicorn.access").disabled = True


ACCESS_LOGGER: Final = "access"
_SUBJECT_FIELD: Final = ',"subject":'
_TRACE_FIELDS: Final = ',"trace_id":"{}","span_id":"{}"'  # both hex: nothing to escape


class AccessLog:
    """Writes one line per request in the configured format, without going through `logging`."""

    logger_name: Final = ACCESS_LOGGER

    def __init__(self, log_format: LogFormat, level: str, stream: IO[str] | None = None) -> None:
        self.log_format: LogFormat = log_format
        self.enabled = logging.getLevelName(level) <= logging.INFO
        self._stream = stream

    def write(
        self,
        *,
        request_id: str,
        method: str,
        path: str,
        route: str | None,
        status: int,
        duration_ms: float,
        client: str | None,
        subject: str | None = None,
    ) -> None:
        """`subject` is the verified token's `sub` (never the token); the line has no `subject` without one."""
        if not self.enabled:
            return
        timestamp = utc_timestamp(time.time())
        ids = trace_ids()
        if self.log_format == "json":
            # Exactly what `render(fields, "json")` writes, at a third of the cost: the keys are fixed, so only the
            # values go through JSON's (C) string encoder.
            line = (
                f'{{"timestamp":"{timestamp}","level":"INFO","logger":"{ACCESS_LOGGER}","message":"request",'
                f'"request_id":{_json_string(request_id)},"method":{_json_string(method)},'
                f'"path":{_json_string(path)},"route":{"null" if route is None else _json_string(route)},'
                f'"status":{int(status)},"duration_ms":{round(float(duration_ms), 3)!r},'
                f'"client":{"null" if client is None else _json_string(client)}'
                f"{'' if subject is None else _SUBJECT_FIELD + _json_string(subject)}"
                f"{'' if ids is None else _TRACE_FIELDS.format(*ids)}}}"
            )
        else:
            fields = {
                "timestamp": timestamp,
                "level": "INFO",
                "logger": self.logger_name,
                "message": "request",
                "request_id": request_id,
                "method": method,
                "path": path,
                "route": route,
                "status": status,
                "duration_ms": round(duration_ms, 3),
                "client": client,
            }
            if subject is not None:
                fields["subject"] = subject
            if ids is not None:
                fields["trace_id"], fields["span_id"] = ids
            line = render(fields, self.log_format)
        # Resolved per call so that a replaced sys.stdout (tests, reloaders) is honoured.
        stream = self._stream or sys.stdout
        stream.write(line + "\n")
        stream.flush()
