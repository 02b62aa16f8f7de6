"""The process entry point: settings, logging, then uvicorn with production-safe options."""

from __future__ import annotations

import sys
from types import FrameType

import uvicorn
from fastapi import FastAPI

from .app import create_app
from .core.lifecycle import ServiceState
from .core.logs import configure_logging
from .settings import ConfigurationError, Settings, load_settings


class Server(uvicorn.Server):
    """uvicorn, plus: readiness turns 503 the moment a stop signal arrives, before connections drain."""

    def __init__(self, config: uvicorn.Config, state: ServiceState) -> None:
        super().__init__(config)
        self.service_state = state

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.service_state.begin_shutdown()
        super().handle_exit(sig, frame)


def server_config(app: FastAPI, settings: Settings) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        # Client addresses come from X-Forwarded-For only when the peer is a trusted proxy.
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
        access_log=False,  # the service writes its own access line, with the request id
        log_config=None,  # logging is configured by `configure_logging`
        timeout_graceful_shutdown=settings.graceful_timeout,
        lifespan="on",
    )


def app_from_environment() -> FastAPI:
    """The app for `uvicorn --factory <package>.server:app_from_environment`, e.g. with `--workers N`.

    `python -m <package>` (one process) is the usual entry point; use this one for several worker processes.
    """
    settings = load_settings()
    configure_logging(settings)
    return create_app(settings)


def main() -> int:
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        print("Invalid configuration (fix these environment variables or .env entries):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    configure_logging(settings)
    app = create_app(settings)
    Server(server_config(app, settings), app.state.service).run()
    return 0
