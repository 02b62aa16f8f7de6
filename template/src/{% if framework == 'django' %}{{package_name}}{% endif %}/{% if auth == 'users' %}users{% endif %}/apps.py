from typing import ClassVar

from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = __name__.rpartition(".")[0]
    label = "users"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Users"
    # The OpenAPI tags of this app's views, described in the document (api/schema.py's `document_tags`).
    openapi_tags: ClassVar[tuple[dict[str, str], ...]] = (
        {"name": "auth", "description": "Signing in: tokens for a user's email and password, refresh, logout."},
        {"name": "users", "description": "Your own account; every account with the users:admin scope."},
    )
