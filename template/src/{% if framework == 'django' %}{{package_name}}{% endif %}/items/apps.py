from typing import ClassVar

from django.apps import AppConfig


class ItemsConfig(AppConfig):
    name = __name__.rpartition(".")[0]
    label = "items"
    default_auto_field = "django.db.models.BigAutoField"
    # The OpenAPI tag of this app's views (`@extend_schema(tags=["items"])`), described in the document.
    openapi_tag: ClassVar[dict[str, str]] = {
        "name": "items",
        "description": "The example resource: copy its conventions for your own.",
    }
