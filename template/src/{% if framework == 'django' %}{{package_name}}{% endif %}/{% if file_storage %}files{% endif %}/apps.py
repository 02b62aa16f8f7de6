from typing import ClassVar

from django.apps import AppConfig

from ..config import Settings
from ..integrations.base import Wiring


class FilesConfig(AppConfig):
    name = __name__.rpartition(".")[0]
    label = "files"
    default_auto_field = "django.db.models.BigAutoField"
    openapi_tag: ClassVar[dict[str, str]] = {
        "name": "files",
        "description": "Files: uploads, downloads, direct uploads.",
    }

    def ready(self) -> None:
        from .attachments import detach_on_delete  # noqa: PLC0415 - the models and views once the apps are ready

        detach_on_delete()

    def install(self, settings: Settings, wiring: Wiring) -> None:
        """Open the store (no connection is made yet: S3 is asked when a file comes or goes); the upload's path takes
        bodies up to FILES_MAX_SIZE instead of MAX_BODY_SIZE."""
        from .storage import FILES_PATH, FileStorage  # noqa: PLC0415 - the store's modules once the apps are ready

        wiring.provide(FileStorage.open(settings))
        wiring.larger_bodies[FILES_PATH] = max(settings.files_max_size, settings.max_body_size)
