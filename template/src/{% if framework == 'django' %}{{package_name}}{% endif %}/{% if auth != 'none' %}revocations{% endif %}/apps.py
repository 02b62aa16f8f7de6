from django.apps import AppConfig


class RevocationsConfig(AppConfig):
    name = __name__.rpartition(".")[0]
    label = "revocations"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Revoked tokens"
