from typing import ClassVar

from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = __name__.rpartition(".")[0]
    label = "users"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Users"
    # The OpenAPI tag of this app's users views (`@extend_schema(tags=["users"])`), described in the document.
    openapi_tag: ClassVar[dict[str, str]] = {"name": "users", "description": "Accounts: your own, and (admins) all."}
