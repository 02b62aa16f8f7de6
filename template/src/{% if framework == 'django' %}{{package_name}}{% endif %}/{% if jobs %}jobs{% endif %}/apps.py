import logging
from typing import ClassVar

from django.apps import AppConfig

# procrastinate lists its tasks and periodic tasks at every start of every process: a dozen lines saying nothing new.
for quiet in ("procrastinate.blueprints", "procrastinate.periodic"):
    logging.getLogger(quiet).setLevel(logging.WARNING)


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
