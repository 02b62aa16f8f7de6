"""Files attached to the rows of any resource whose view set declares `attachments = True` (the rule:
core/storage/attachments.py). `attachment_urls` gives every such resource its three routes (files/urls.py includes
them), and `detach_on_delete` makes a row's deletion detach its files, whoever deletes it (a view, the admin, a job):

    GET    /api/v1/<resource>/<record_id>/attachments             the record's files (a page, as /api/v1/files)
    PUT    /api/v1/<resource>/<record_id>/attachments/<file_id>   attach one of the caller's files (204)
    DELETE /api/v1/<resource>/<record_id>/attachments/<file_id>   detach it (204; the file stays)

Each route is the resource's own view set with three actions more: the record is read as its resource reads it (its
scopes, its owner rule, its 404), the file as the files resource does, so another owner's record or file is a 404.
"""

from __future__ import annotations

import uuid
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete
from django.urls import URLPattern, path
from django.utils.module_loading import module_has_submodule
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from ..api import ownership
from ..api.errors import RequestValidationError
from ..api.resources import ResourceViewSet, one_row
from ..api.schema import problem_responses
from ..api.scopes import MethodScopes
from ..core.storage.attachments import file_not_attached, file_not_found, scopes_for
from ..items.views import ItemViewSet
from .models import Attachment, File, FileStatus
from .scopes import FILE_SCOPES
from .serializers import FileSerializer

# The example resource takes attachments where the service keeps files: declared here, in the files app, so a service
# without files has no word of them. A resource of your own declares `attachments = True` in its view set.
ItemViewSet.attachments = True

FILE_ID = OpenApiParameter("file_id", OpenApiTypes.UUID, OpenApiParameter.PATH)


def resource_of(model: type[Model]) -> str:
    """The resource's name, as its routes and events name it (`items`)."""
    return str(model._meta.verbose_name_plural)


def attachable_view_sets() -> list[type[ResourceViewSet]]:
    """The view sets of the service's apps that declare `attachments = True`, one per model (a successor version's
    view set serves the same rows), each app's `views` module imported first."""
    package = __name__.split(".")[0]
    for config in apps.get_app_configs():
        if config.name.startswith(f"{package}.") and module_has_submodule(config.module, "views"):
            import_module(f"{config.name}.views")
    found: dict[type[Model], type[ResourceViewSet]] = {}
    waiting = list(ResourceViewSet.__subclasses__())
    while waiting:
        view_set = waiting.pop(0)
        waiting.extend(view_set.__subclasses__())
        model = getattr(view_set, "model", None)
        if view_set.attachments and model is not None and not hasattr(view_set, "attachments_of"):
            found.setdefault(model, view_set)
    return list(found.values())


def _detach(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    Attachment.objects.filter(resource=resource_of(sender), record_id=instance.pk).delete()


def detach_on_delete() -> None:
    """Every attachable resource's row detaches its files when deleted (`post_delete`: a view's delete, a queryset's,
    the admin's); a soft delete hides the row and keeps them, so a restore brings it back whole."""
    for view_set in attachable_view_sets():
        post_delete.connect(_detach, sender=view_set.model, weak=False, dispatch_uid=f"attachments:{view_set.model}")


def _file_id(kwargs: dict[str, Any]) -> uuid.UUID:
    try:
        return uuid.UUID(kwargs["file_id"])
    except ValueError:
        raise RequestValidationError([{"field": "path.file_id", "message": "Input should be a valid UUID"}]) from None


def attachments_view_set(view_set: type[ResourceViewSet]) -> type[ResourceViewSet]:
    """`view_set` with the attachments actions: its scopes with `files:read` beside them."""
    declared = view_set.required_scopes
    if not isinstance(declared, MethodScopes):
        raise TypeError(f"{view_set.__name__} takes attachments: declare its scopes as MethodScopes")
    scopes: MethodScopes = declared
    resource = resource_of(view_set.model)
    record = OpenApiParameter(view_set.lookup_url_kwarg or "id", OpenApiTypes.UUID, OpenApiParameter.PATH)
    instance = f"/api/v1/{resource}/3fa85f64-5717-4562-b3fc-2c963f66afa6/attachments"
    one = problem_responses(404, 422, instance=instance, field=f"path.{view_set.lookup_url_kwarg}")

    class Attachments(view_set):  # type: ignore[valid-type,misc]
        attachments_of = resource
        required_scopes = MethodScopes(read=scopes_for(scopes.read), write=scopes_for(scopes.write), admin=scopes.admin)

        def files(self) -> QuerySet[File]:
            """The files the caller may see, as the files resource shows them: every one but a direct upload not
            completed yet (a quarantined or rejected file is attached and listed with its status)."""
            stored = File.objects.exclude(status=FileStatus.PENDING)
            return ownership.owned_rows(self.request, FILE_SCOPES.admin, stored)

        def the_file(self) -> File:
            file_id = _file_id(self.kwargs)
            found: File | None = one_row(self.files(), file_id)
            if found is None:
                raise NotFound(file_not_found(file_id))
            return found

        @extend_schema(
            summary="List a record's attachments",
            operation_id=f"list_{resource}_attachments",
            parameters=[record],
            responses={200: FileSerializer(many=True), **one},
        )
        def list_attachments(self, request: Request, *args: Any, **kwargs: Any) -> Response:
            row = self.get_object()
            rows = self.files().filter(attachments__resource=resource, attachments__record_id=row.pk)
            page = self.paginate_queryset(rows.order_by("attachments__created_at", "id"))
            answer: Response = self.get_paginated_response(FileSerializer(page, many=True).data)
            return answer

        @extend_schema(
            summary="Attach one of your files to a record",
            operation_id=f"attach_{resource}_file",
            request=None,
            parameters=[record, FILE_ID],
            responses={204: None, **one},
        )
        def attach(self, request: Request, *args: Any, **kwargs: Any) -> Response:
            row = self.get_object()
            # Attaching twice is attaching once; of two concurrent attaches, the second finds the first's row.
            Attachment.objects.get_or_create(resource=resource, record_id=row.pk, file=self.the_file())
            return Response(status=204)

        @extend_schema(
            summary="Detach a file from a record (the file stays)",
            operation_id=f"detach_{resource}_file",
            parameters=[record, FILE_ID],
            responses={204: None, **one},
        )
        def detach(self, request: Request, *args: Any, **kwargs: Any) -> Response:
            row = self.get_object()
            file_id = _file_id(self.kwargs)
            attached = Attachment.objects.filter(resource=resource, record_id=row.pk, file__in=self.files())
            if not attached.filter(file_id=file_id).delete()[0]:
                raise NotFound(file_not_attached(file_id))
            return Response(status=204)

    Attachments.__name__ = Attachments.__qualname__ = f"{view_set.__name__}Attachments"
    return Attachments


def attachment_urls() -> list[URLPattern]:
    """The attachments routes of every attachable resource, under /api/v1/ (files/urls.py)."""
    patterns: list[URLPattern] = []
    for view_set in attachable_view_sets():
        view = attachments_view_set(view_set)
        resource, record = resource_of(view_set.model), view_set.lookup_url_kwarg or "id"
        base = f"{resource}/<str:{record}>/attachments"
        patterns += [
            path(base, view.as_view({"get": "list_attachments"}), name=f"{resource}-attachments"),
            path(
                f"{base}/<str:file_id>",
                view.as_view({"put": "attach", "delete": "detach"}),
                name=f"{resource}-attachment",
            ),
        ]
    return patterns
