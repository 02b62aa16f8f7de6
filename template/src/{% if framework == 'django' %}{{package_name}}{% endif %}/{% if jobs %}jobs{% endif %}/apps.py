from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.apps import AppConfig

from ..core.jobs.logs import quiet_start_listings

if TYPE_CHECKING:
    from ..config import Settings
    from ..integrations.base import Wiring

quiet_start_listings()


class JobsConfig(AppConfig):
    name = __name__.rpartition(".")[0]
    label = "jobs"
    default_auto_field = "django.db.models.BigAutoField"
    # The OpenAPI tag of this app's views (`@extend_schema(tags=["operations"])`), described in the document.
    openapi_tag: ClassVar[dict[str, str]] = {
        "name": "operations",
        "description": "Work that outlives its request: poll an operation until it has succeeded or failed.",
    }

    def ready(self) -> None:
        from .queue import choose_queue  # noqa: PLC0415 - after procrastinate's app is ready

        choose_queue()

    def install(self, settings: Settings, wiring: Wiring) -> None:
        """Without PostgreSQL (development and test on the SQLite file) a worker inside the service runs the jobs,
        from startup to shutdown; on PostgreSQL a separate worker does (`python -m <package> worker`)."""
        from procrastinate.contrib.django import procrastinate_app  # noqa: PLC0415 - needs the app registry

        from ..core.jobs.in_process import InProcessWorker  # noqa: PLC0415
        from .queue import choose_queue, on_postgresql  # noqa: PLC0415

        del settings  # the database Django uses decides
        choose_queue()  # again: tests switch databases after Django is set up
        if not on_postgresql():
            worker = InProcessWorker(procrastinate_app.current_app)
            wiring.on_startup.append(worker.start)
            wiring.on_shutdown.append(worker.stop)
