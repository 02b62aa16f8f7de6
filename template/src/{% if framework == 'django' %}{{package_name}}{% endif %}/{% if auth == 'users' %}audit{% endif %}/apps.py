from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = __name__.rpartition(".")[0]
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Audit trail"
