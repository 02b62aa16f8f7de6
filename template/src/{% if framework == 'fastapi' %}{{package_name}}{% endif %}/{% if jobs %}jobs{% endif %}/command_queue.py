"""The queue of this service's commands (queue.py's `App`, pointed at the settings' database): what `jobs failed |
retry` act on, and what the worker runs, with the engine and event publisher its jobs' writes go through
(`JobDatabase`)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from procrastinate import App
from sqlalchemy import text

from ..api.events import EventPublisher
from ..config import ConfigurationError, Settings, load_settings
from ..core.settings import report_configuration_error
from ..database import create_engine
from .queue import JobDatabase, configure_queue, queue


def service_settings() -> Settings:
    """The settings the worker and the queue's commands run with; exits with one line per problem when invalid."""
    try:
        return load_settings()
    except ConfigurationError as exc:
        raise SystemExit(report_configuration_error(exc)) from None


def command_queue(settings: Settings) -> App:
    configure_queue(settings)
    return queue


class WorkerQueue:
    """The worker's queue, on the queue's own connector, and the engine its jobs write through."""

    def __init__(self, settings: Settings) -> None:
        self.app = command_queue(settings)
        self.connector = self.app.connector
        self._settings = settings
        self._engine = create_engine(settings)

    async def database_reachable(self) -> bool:
        async with self._engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The jobs' database while the worker runs; closed, and unset, once it has stopped."""
        JobDatabase.engine = self._engine
        JobDatabase.settings = self._settings
        # The jobs' changes reach the API's event stream: sent, not listened to (nothing is started).
        events = EventPublisher(self._settings, self._engine)
        JobDatabase.events = events
        try:
            yield
        finally:
            await events.transport.stop()
            await self._engine.dispose()
            JobDatabase.engine = None
            JobDatabase.events = None
            JobDatabase.settings = None
