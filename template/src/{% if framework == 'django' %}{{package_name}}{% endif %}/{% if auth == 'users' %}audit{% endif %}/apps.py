from typing import ClassVar

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = __name__.rpartition(".")[0]
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Audit trail"
    # The OpenAPI tag of this app's views (`@extend_schema(tags=["audit"])`), described in the document.
    openapi_tag: ClassVar[dict[str, str]] = {
        "name": "audit",
        "description": "The audit trail of accounts and audited resources (admins).",
    }

    def ready(self) -> None:
        # Importing the models before the registry is ready fails: the trail plugs into the resources now.
        from ..api.resources import keep_changes_in  # noqa: PLC0415
        from .recording import record_change  # noqa: PLC0415

        keep_changes_in(record_change)
