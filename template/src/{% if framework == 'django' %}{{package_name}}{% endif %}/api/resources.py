"""What every resource shares, written once: a resource declares its model (a `ResourceModel`), its serializers and
its scopes, and `ResourceViewSet` serves the rest.

- Rows: `ResourceModel` gives each row its `id`, its owner where rows have one (api/ownership.py), its `row_version`
  (the ETag: one more per write, `core/entity_tags.py`) and its `created_at`/`updated_at`.
  `row_version` is the service's own: a request serializer declaring a field of that name is a `manage.py check`
  error, and the service refuses to start.
- Reads: one query by id (`one_row`: no ORDER BY, no LIMIT); a list and its `total` are one page of
  `get_queryset()`. `If-None-Match` gets a 304.
- Writes: create, replace, partial update and delete, each with `If-Match` (412 when stale) applied atomically to the
  version checked, so of two clients that read one version one wins and the other gets a 412, never a lost update.
  A unique constraint a write breaks is a 409 with the resource's `duplicate_detail`.
- Ownership (api/ownership.py): `get_queryset()` holds the rows the caller may see, and every read and write starts
  there; a row read elsewhere (the application cache) is checked with `may_see` before anything is answered.
- Shared records (`shared = True`: a catalogue every customer reads): every caller with the read scopes reads every
  row, and a write of any kind (custom actions included) needs the admin scope too: anyone else gets a 403 naming it,
  before the row is looked up. Each write's event reaches every connection whose token holds the read scopes
  (core/ownership.py, core/events.py). Nothing else changes: ETags, 304s, the cache, problems.
- Every write to a resource's rows, whoever makes it (a view, a job, a command, the admin, a shell), tells
  `rows_written` which rows it changed, inside its transaction: `ResourceQuerySet.update()` and `.delete()`, and a
  `ResourceModel`'s `save()` (one version more for an existing row) and `delete()`.
- Reads by id go through `read_through` (api/record_cache.py): the application cache where the service has one.
- Events: every create, update, delete and restore publishes one event to the row's owner on the per-user event
  stream (`<plural>.created`, `.updated`, `.deleted`, with the id and the new version; api/events.py) once its
  transaction has committed, and nothing when it rolls back.
- Audit (`audited = True` on the view set, in a service with accounts of its own): every create, update,
  delete and restore is recorded in the write's transaction (core/record_changes.py, audit/recording.py) with its
  caller, the resource and the row, and the names of the fields it changed (an update compares them with the row it
  locked), never values; a restore is a `restore`. A custom action that writes calls `record_change` itself. Without
  an audit trail, an audited resource's writes are refused (`NoAuditTrailError`).
- Soft delete is a declaration: a resource whose model derives from `SoftDeleteModel` and whose views derive from
  `SoftDeleteViewSet` hides deleted rows from every read and write and offers `POST .../{id}/restore` to the holders
  of its admin scope.
- A database that does not answer is a 503 (api/errors.py), whatever the resource.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Final, TypeVar

from django.core import checks
from django.db import IntegrityError, models, router, transaction
from django.db.models import F, QuerySet
from django.db.models.lookups import Exact, In
from django.db.models.sql.where import AND
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from ..core.entity_tags import STALE, entity_tag, if_match_allows
from ..core.events import Change, record_event
from ..core.record_changes import ChangeKind, RecordChange, changed_fields, no_audit_trail, written_fields
from . import ownership
from .base import ServiceViewSet
from .conditional_reads import cacheable_list, cacheable_read
from .errors import RequestValidationError, invalid
from .events import publisher
from .ownership import OWNER_FIELDS, OwnedModel, unique_per_owner
from .record_cache import read_through
from .rows import Representation, rows_written
from .scopes import SAFE_METHODS, MethodScopes, ScopeDeclaration
from .serializers import shared_answer_serializer

__all__ = [
    "CHECK_ID",
    "VERSION_FIELD",
    "Duplicate",
    "Representation",
    "ResourceModel",
    "ResourceQuerySet",
    "ResourceViewSet",
    "SoftDeleteModel",
    "SoftDeleteViewSet",
    "Stale",
    "check_resource_declarations",
    "one_row",
    "rows_written",
    "shown_fields",
    "unique_per_owner",
    "version_field_clashes",
]

VERSION_FIELD: Final = "row_version"
"""The column holding each row's version (its ETag): the service's own, never a field of a resource's requests."""
CHECK_ID: Final = "api.E002"


def _keys(rows: QuerySet[Any]) -> list[str]:
    """The ids of the rows a write to `rows` may change: those its filter names (`pk=...`, `pk__in=[...]`), at no
    cost (a view's write names its row); else read, and locked until the transaction ends, so that the rows read are
    the rows the write changes."""
    named = _named_keys(rows)
    if named is not None:
        return named
    return [str(key) for key in rows.select_for_update().values_list("pk", flat=True)]


def _named_keys(rows: QuerySet[Any]) -> list[str] | None:
    """The ids a filter of `rows` on the primary key names, when every other condition is AND-ed to it (then no other
    row can be written); None when the filter names none."""
    where = rows.query.where
    if where.connector != AND or where.negated:
        return None
    primary_key = rows.model._meta.pk
    for condition in where.children:
        if not isinstance(condition, Exact | In) or getattr(condition.lhs, "target", None) is not primary_key:
            continue
        value = condition.rhs
        if isinstance(condition, In) and isinstance(value, list | tuple | set | frozenset):
            return [str(key) for key in value]
        if isinstance(condition, Exact) and not hasattr(value, "resolve_expression"):
            return [str(value)]
    return None


def one_row(rows: QuerySet[Any], key: Any) -> Any | None:
    """The row of `rows` whose primary key is `key`, or None, in one plain statement: a primary key names one row at
    most, so the model's ordering and `.first()`'s `LIMIT 1` would only make the database (and Django, compiling
    them on every read) do more for the same answer."""
    return next(iter(rows.filter(pk=key).order_by()), None)


RowT = TypeVar("RowT", bound=models.Model)


class ResourceQuerySet(QuerySet[RowT]):
    """A resource's rows: `update()` and `delete()` tell `rows_written` which rows they changed, in the caller's
    transaction (no savepoint), at the cost of one query only while someone listens and the filter names no id."""

    def update(self, **kwargs: Any) -> int:
        if not rows_written.has_listeners(self.model):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            keys = _keys(self)
            changed = super().update(**kwargs)
            rows_written.send(self.model, keys=keys, using=self.db)
        return changed

    def delete(self) -> tuple[int, dict[str, int]]:
        if not rows_written.has_listeners(self.model):
            return super().delete()
        with transaction.atomic(using=self.db, savepoint=False):
            keys = _keys(self)
            deleted = super().delete()
            rows_written.send(self.model, keys=keys, using=self.db)
        return deleted


class ResourceModel(OwnedModel):
    """The columns every resource's rows share (with its owner's: `OwnedModel`); a resource's model derives from it
    and adds its own fields."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    row_version = models.PositiveIntegerField(default=1, editable=False)  # one more per write: the ETag
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ("created_at", "id")

    @property
    def etag(self) -> str:
        return entity_tag(self.row_version)

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A new row is saved as given; an existing one (the admin, a job, a command) is a write like any other: one
        version more (a client holding the old ETag sees the change) and `rows_written` told."""
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        self.row_version += 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], VERSION_FIELD, "updated_at"}
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            super().save(*args, **kwargs)
            rows_written.send(type(self), keys=[str(self.pk)], using=using)

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        key, alias = str(self.pk), using or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=alias, savepoint=False):
            deleted = super().delete(using=alias, keep_parents=keep_parents)
            rows_written.send(type(self), keys=[key], using=alias)
        return deleted


# Added to the class rather than declared in it: each resource's model keeps its own typed `objects` and
# `_default_manager` (django-stubs), and every one of them is this manager, inherited from the abstract model.
ResourceModel.add_to_class("objects", ResourceQuerySet.as_manager())


class SoftDeleteModel(ResourceModel):
    """A resource whose deletes only mark the row (`deleted_at`): hidden from every read and write, restorable."""

    deleted_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)

    class Meta(ResourceModel.Meta):
        abstract = True


def shown_fields(*fields: str) -> tuple[str, ...]:
    """A resource's response fields: `id`, its owner's (`OWNER_FIELDS`), its own `fields`, then `created_at` and
    `updated_at`."""
    return ("id", *OWNER_FIELDS, *fields, "created_at", "updated_at")


class Duplicate(APIException):
    status_code = 409
    default_detail = "A unique field of this resource is already taken"


class Stale(APIException):
    status_code = 412
    default_detail = STALE


ChangeTrail = Callable[[RecordChange], None]
"""Stores an audited resource's change in the current transaction (audit/recording.py's `record_change`)."""
_TRAILS: list[ChangeTrail] = []


def keep_changes_in(trail: ChangeTrail) -> None:
    """Make `trail` the store of every audited resource's changes (the audit app does, once ready)."""
    _TRAILS[:] = [trail]


class ResourceViewSet(mixins.ListModelMixin, ServiceViewSet):
    """list, create, retrieve, update, partial_update and destroy of one model. A resource declares:

    - `model` (a `ResourceModel`), `serializer_class` (the response), `input_serializer` (create and replace) and
      `patch_serializer` (partial update), both deriving from `api.serializers.StrictInputSerializer`;
    - `required_scopes = MethodScopes(read=(...), write=(...), admin="<plural>:admin")`;
    - `lookup_url_kwarg` (the path parameter, `<singular>_id`), `duplicate_detail` (its 409) and `rate_limits`;
    - `shared = True` for a resource every reader reads and only its admin scope writes (a catalogue).
    """

    model: ClassVar[type[ResourceModel]]
    input_serializer: ClassVar[type[serializers.Serializer[Any]]]
    patch_serializer: ClassVar[type[serializers.Serializer[Any]]]
    required_scopes: ClassVar[ScopeDeclaration]
    duplicate_detail: ClassVar[str] = Duplicate.default_detail
    shared: ClassVar[bool] = False
    """Every caller with the read scopes reads every row, and only the admin scope writes; False: each row is its
    owner's."""
    audited: ClassVar[bool] = False
    """True: every create, update, delete and restore is recorded in the audit trail (who, which row, which
    fields)."""
    attachments: ClassVar[bool] = False
    """True: its rows take files (core/storage/attachments.py); a row's deletion detaches them."""
    lookup_value_converter = "str"  # `<str:..._id>`: a malformed id is a 422 naming the parameter, not a 404

    # --- which rows the caller sees --------------------------------------------------------------------------

    @property
    def admin_scope(self) -> str | None:
        """The scope that reaches every owner's rows (`MethodScopes(admin=...)`), if the resource has one."""
        declared = self.required_scopes
        return declared.admin if isinstance(declared, MethodScopes) else None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """Once the token and its scopes are checked: a write to a shared resource needs its admin scope too."""
        super().initial(request, *args, **kwargs)
        if self.shared and request.method not in SAFE_METHODS:
            resource = str(self.model._meta.verbose_name_plural)
            ownership.require_writer(request, self.admin_scope, resource, shared=True)

    def get_queryset(self) -> QuerySet[Any]:
        """The rows this request may see and change: every read and write starts here."""
        return self.owned(self.live(self.model._default_manager.all()))

    def live(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        """The rows that exist as far as the API is concerned (`SoftDeleteViewSet` leaves the deleted ones out)."""
        return rows

    def owned(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        """The rows of `rows` the caller may see (api/ownership.py)."""
        return ownership.owned_rows(self.request, self.admin_scope, rows, shared=self.shared)

    def may_see(self, owner_id: str | None) -> bool:
        """Whether the caller may see a row owned by `owner_id` (what `owned` decides, for a row already read)."""
        return ownership.may_see(self.request, self.admin_scope, owner_id, shared=self.shared)

    def owner_field(self) -> tuple[str, ...]:
        """The column holding a row's owner, if rows have one."""
        return OWNER_FIELDS

    def owner_id_of(self, row: ResourceModel) -> str | None:
        return ownership.owner_id_of(row)

    def owner_of_new_rows(self) -> dict[str, Any]:
        return ownership.owner_of_new_rows(self.request)

    # --- one row ---------------------------------------------------------------------------------------------

    def object_id(self) -> uuid.UUID:
        """The id the path names (a 422 naming the path parameter when it is no UUID)."""
        parameter = self.lookup_url_kwarg or "id"
        try:
            return uuid.UUID(self.kwargs[parameter])
        except ValueError:
            error = {"field": f"path.{parameter}", "message": "Input should be a valid UUID"}
            raise RequestValidationError([error]) from None

    def not_found(self) -> NotFound:
        """The same answer for a row that does not exist and for one the caller may not see."""
        name = str(self.model._meta.verbose_name).capitalize()
        return NotFound(f"{name} {self.object_id()} does not exist")

    def get_object(self) -> Any:
        row = one_row(self.get_queryset(), self.object_id())
        if row is None:
            raise self.not_found()
        return row

    def answer(self, row: ResourceModel) -> dict[str, Any]:
        """`row` as an answer's body: the view's serializer's data."""
        if type(self).get_serializer is GenericAPIView.get_serializer:  # the view adds nothing to its serializer
            shared = shared_answer_serializer(self.get_serializer_class())
            if shared is not None:  # the answer depends on the row alone (api/serializers.py)
                return shared.to_representation(row)
        return self.get_serializer(row).data  # type: ignore[no-any-return]

    def representation(self, row: ResourceModel) -> Representation:
        return Representation(row.etag, self.owner_id_of(row), self.answer(row))

    def read_one(self) -> Representation:
        """The row the path names as the caller may see it (through the application cache, where there is one); else
        a 404."""
        key = self.object_id()

        def load(using: str | None) -> Representation | None:
            rows = self.get_queryset()
            row = one_row(rows if using is None else rows.using(using), key)
            return None if row is None else self.representation(row)

        found = read_through(self.model, str(key), load)
        # Checked whichever way the row came: an entry cached for one caller is never answered to another.
        if found is None or not self.may_see(found.owner_id):
            raise self.not_found()
        return found

    def publish(self, change: Change, record_id: uuid.UUID, version: int, owner_id: str | None) -> None:
        """Call inside a write's transaction: the event of the change reaches the row's owner (whoever wrote it), or
        every reader of a shared resource, once it is committed."""
        resource = str(self.model._meta.verbose_name_plural)
        declared = self.required_scopes
        read_scopes = declared.read if isinstance(declared, MethodScopes) else tuple(declared.get("GET", ()))
        readers = ownership.shared_readers(read_scopes, shared=self.shared)
        event = record_event(resource, change, record_id, version, owner_id, readers=readers)
        publisher().record_in_transaction(event)

    def deleted_version(self, version: int) -> int:
        """The version a row deleted at `version` is published with (the last it had)."""
        return version

    def record_change(self, kind: ChangeKind, record_id: uuid.UUID, fields: Iterable[str] = ()) -> None:
        """Call inside a write's transaction: an audited resource's change (the names of the `fields` it changed)
        goes to the audit trail, made by the caller. Nothing for a resource that is not audited."""
        if not self.audited:
            return
        resource = str(self.model._meta.verbose_name_plural)
        if not _TRAILS:
            raise no_audit_trail(resource)
        actor = self.owner_of_new_rows().get("owner_id")
        client_host = self.request.META.get("REMOTE_ADDR")
        _TRAILS[0](RecordChange(kind, resource, record_id, actor, tuple(fields), client_host))

    def stored_values(self, rows: QuerySet[Any], fields: Iterable[str], *, lock: bool = False) -> dict[str, Any]:
        """The stored values of the model's `fields` of the row `rows` holds (locked until the transaction ends)."""
        columns = {field.name for field in self.model._meta.concrete_fields}
        names = [name for name in fields if name in columns]
        if not names:
            return {}
        found = (rows.select_for_update() if lock else rows).order_by().values(*names)[:1]
        return dict(found[0]) if found else {}

    # --- the actions -----------------------------------------------------------------------------------------

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return cacheable_list(super().list(request, *args, **kwargs))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        found = self.read_one()
        return cacheable_read(request, found.etag, lambda: found.body)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = self.validated(self.input_serializer)
        try:
            with transaction.atomic():
                row = self.model._default_manager.create(**values, **self.owner_of_new_rows())
                self.publish("created", row.pk, row.row_version, self.owner_id_of(row))
                self.record_change("create", row.pk, written_fields(values))
        except IntegrityError:
            raise Duplicate(self.duplicate_detail) from None
        location = f"{request.path.rstrip('/')}/{row.pk}"
        return Response(self.answer(row), status=201, headers={"Location": location, "ETag": row.etag})

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.write(request, self.validated(self.input_serializer))

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.write(request, self.validated(self.patch_serializer))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = self.versioned_rows(request)
        with transaction.atomic():
            found = next(iter(rows.order_by().values_list(VERSION_FIELD, *self.owner_field())), None)
            removed = self.remove(rows)
            if removed and found is not None:
                owner_id = found[1] if len(found) > 1 else None
                self.publish("deleted", self.object_id(), self.deleted_version(found[0]), owner_id)
                self.record_change("delete", self.object_id())
        if not removed:
            raise self.gone_or_changed(request)
        return Response(status=204)

    def remove(self, rows: QuerySet[Any]) -> int:
        """Deletes `rows`; how many there were."""
        return rows.delete()[0]

    # --- what the writes share -------------------------------------------------------------------------------

    def validated(self, serializer_class: type[serializers.Serializer[Any]]) -> dict[str, Any]:
        """The request body, validated by a strict input serializer (a 422 listing every invalid field)."""
        serializer = serializer_class(data=self.request.data)
        if not serializer.is_valid():
            raise invalid("body", serializer.errors)
        return dict(serializer.validated_data)

    def write(self, request: Request, changes: dict[str, Any]) -> Response:
        """Applies `changes` to the row `If-Match` names: to that version only, atomically."""
        rows = self.versioned_rows(request)
        try:
            with transaction.atomic():
                before = self.stored_values(rows, changes, lock=True) if self.audited else {}
                written = rows.update(**changes, row_version=F(VERSION_FIELD) + 1, updated_at=timezone.now())
                row = self.get_object() if written else None
                if row is not None:
                    self.publish("updated", row.pk, row.row_version, self.owner_id_of(row))
                    after = self.stored_values(self.get_queryset().filter(pk=row.pk), before)
                    self.record_change("update", row.pk, changed_fields(before, after))
        except IntegrityError:
            raise Duplicate(self.duplicate_detail) from None
        if row is None:
            raise self.gone_or_changed(request)
        return Response(self.answer(row), headers={"ETag": row.etag})

    def versioned_rows(self, request: Request) -> QuerySet[Any]:
        """The row (404 when the caller sees none), checked against `If-Match` (412), and limited to the version
        checked when the client named one."""
        row = self.get_object()
        if_match = request.headers.get("If-Match")
        if not if_match_allows(if_match, row.etag):
            raise Stale
        rows = self.get_queryset().filter(pk=row.pk)
        return rows if if_match is None else rows.filter(row_version=row.row_version)

    def gone_or_changed(self, request: Request) -> APIException:
        """Why a write found no row although the check a moment before found it: another write came in between
        (412 when the client named a version), or deleted it (404)."""
        return Stale() if request.headers.get("If-Match") is not None else self.not_found()


class SoftDeleteViewSet(ResourceViewSet):
    """A `ResourceViewSet` of a `SoftDeleteModel`: a delete marks the row, which every read and write then ignores,
    and `POST .../{id}/restore` brings it back (holders of the admin scope only)."""

    model: ClassVar[type[SoftDeleteModel]]

    def live(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        return rows if self.action == "restore" else rows.filter(deleted_at__isnull=True)

    def deleted_version(self, version: int) -> int:
        return version + 1  # `remove` writes one version more

    def remove(self, rows: QuerySet[Any]) -> int:
        return rows.update(deleted_at=timezone.now(), row_version=F(VERSION_FIELD) + 1, updated_at=timezone.now())

    @extend_schema(request=None, summary="Restore a deleted row")
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ownership.require_admin(request, self.admin_scope, str(self.model._meta.verbose_name_plural))
        key = self.object_id()
        with transaction.atomic():
            restored = (
                self.get_queryset()
                .filter(pk=key, deleted_at__isnull=False)
                .update(deleted_at=None, row_version=F(VERSION_FIELD) + 1, updated_at=timezone.now())
            )
            row = self.get_object() if restored else None
            if row is not None:
                self.publish("created", row.pk, row.row_version, self.owner_id_of(row))  # back in its owner's list
                self.record_change("restore", row.pk)
        if row is None:
            raise self.not_found()
        return Response(self.answer(row), headers={"ETag": row.etag})


# --- checked before the service starts ----------------------------------------------------------------------------


def version_field_clashes(view: type[Any]) -> list[str]:
    """The request serializers of `view` that declare the service's own version field."""
    declared = (getattr(view, "input_serializer", None), getattr(view, "patch_serializer", None))
    return [found.__name__ for found in declared if found is not None and VERSION_FIELD in found().fields]


@checks.register(checks.Tags.models)
def check_resource_declarations(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`manage.py check` (and the service's start): no resource accepts `row_version` from its clients."""
    from .scopes import routed_views  # noqa: PLC0415 - the URL configuration imports every resource

    views = {routed.view_class for routed in routed_views() if issubclass(routed.view_class, ResourceViewSet)}
    return [
        checks.Error(
            f"{serializer} ({view.__module__}.{view.__qualname__}) declares a field named {VERSION_FIELD}, "
            "the column of the service's ETag versions",
            hint=f"Rename the field: {VERSION_FIELD} is set by every write, never by a client.",
            obj=view,
            id=CHECK_ID,
        )
        for view in sorted(views, key=lambda view: view.__qualname__)
        for serializer in version_field_clashes(view)
    ]
