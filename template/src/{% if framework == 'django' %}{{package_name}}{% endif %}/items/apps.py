from django.apps import AppConfig


class ItemsConfig(AppConfig):
    name = __name__.rpartition(".")[0]
    label = "items"
    default_auto_field = "django.db.models.BigAutoField"
