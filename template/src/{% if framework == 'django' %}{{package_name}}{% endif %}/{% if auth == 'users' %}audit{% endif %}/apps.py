from typing import ClassVar

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = __name__.rpartition(".")[0]
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Audit trail"
    # The OpenAPI tag of this app's views (`@extend_schema(tags=["audit"])`), described in the document.
    openapi_tag: ClassVar[dict[str, str]] = {"name": "audit", "description": "The audit trail of accounts (admins)."}
