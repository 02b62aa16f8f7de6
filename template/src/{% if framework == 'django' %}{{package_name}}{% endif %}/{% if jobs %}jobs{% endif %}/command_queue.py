"""The queue of this service's commands: procrastinate's Django app, once the app registry is set up. What `jobs
failed | retry` act on (the Django admin lists the jobs too, under Procrastinate), and what the worker runs, with the
service's integrations wired as the API's are, on a connector of its own."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import django
from procrastinate import App
from procrastinate.psycopg_connector import PsycopgConnector

from ..config import Settings, service_settings

# service_settings is the settings module's; the worker and the queue's commands take it from here.
__all__ = ["WorkerQueue", "command_queue", "service_settings"]


def command_queue(settings: Settings) -> App:
    del settings  # Django's settings module configured it from them (`service_settings`)
    django.setup(set_prefix=False)
    from procrastinate.contrib.django import procrastinate_app  # noqa: PLC0415 - needs the app registry

    return procrastinate_app.current_app


class WorkerQueue:
    """The worker's queue, on connections of its own (LISTEN/NOTIFY, fetching jobs); the tasks use Django's, as
    requests do."""

    def __init__(self, settings: Settings) -> None:
        self.app = command_queue(settings)
        from procrastinate.contrib.django import utils  # noqa: PLC0415 - needs the app registry

        from ..integrations import wiring  # noqa: PLC0415 - needs the app registry

        wiring()  # the service's integrations, set up as the API's are
        self.connector = PsycopgConnector(kwargs={**utils.connector_params(), "application_name": "worker"})

    async def database_reachable(self) -> bool:
        await self.connector.execute_query_one_async("SELECT 1 AS one")
        return True

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The queue on the worker's connector, and the jobs' changes sent to the API's event stream (sent only)."""
        from ..api.events import publisher  # noqa: PLC0415 - needs the app registry

        events = publisher()
        events.publish_on(asyncio.get_running_loop())
        try:
            with self.app.replace_connector(self.connector):
                yield
        finally:
            await events.transport.stop()
