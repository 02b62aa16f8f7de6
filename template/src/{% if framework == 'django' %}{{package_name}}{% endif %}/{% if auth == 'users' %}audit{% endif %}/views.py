"""`GET /api/v1/audit-events`: the audit trail of accounts and audited resources, newest first, for callers
holding `audit:admin`."""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.request import Request

from ..api.base import ServiceViewSet
from ..api.errors import invalid
from ..api.fields import AwareDateTimeField
from ..api.schema import problem_responses
from ..api.scopes import MethodScopes, ScopeDeclaration
from ..core.accounts.audit import (
    AUDIT_EVENTS_DESCRIPTION,
    AUDIT_EVENTS_PATH,
    AUDIT_READ,
    MAX_SUBJECT_TYPE_LENGTH,
    AuditKind,
)
from .models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    actor = serializers.UUIDField(
        source="actor_id", allow_null=True, help_text="The account that acted; null: anonymous, or the `users` command"
    )
    subject_type = serializers.CharField(
        help_text="What `subject` names: `account`, or an audited resource (`bookings`)"
    )
    subject = serializers.UUIDField(
        source="subject_id", allow_null=True, help_text="The account or record acted on; null when there is none"
    )
    kind = serializers.ChoiceField(choices=[kind.value for kind in AuditKind])
    client_address = serializers.CharField(
        read_only=True, allow_null=True, help_text="The client's address; null for the `users` command"
    )
    request_id = serializers.CharField(
        read_only=True, allow_null=True, help_text="The request's id (its log lines carry it too)"
    )
    details = serializers.DictField(help_text="What changed (field names, scopes added and removed...); no secret")

    class Meta:
        model = AuditEvent
        fields = (
            "id",
            "kind",
            "actor",
            "subject_type",
            "subject",
            "details",
            "client_address",
            "request_id",
            "occurred_at",
        )


class AuditEventFilters(serializers.Serializer[Any]):
    subject_type = serializers.CharField(
        required=False,
        min_length=1,
        max_length=MAX_SUBJECT_TYPE_LENGTH,
        help_text="Only events about this kind of subject (`account`, `bookings`)",
    )
    subject = serializers.UUIDField(required=False, help_text="Only events about this account or record")
    actor = serializers.UUIDField(required=False, help_text="Only events this account caused")
    kind = serializers.ChoiceField(
        choices=[kind.value for kind in AuditKind], required=False, help_text="Only events of this kind"
    )
    since = AwareDateTimeField(required=False, help_text="Only events at or after this time (with an offset)")
    limit = serializers.IntegerField(required=False)  # the pagination's: read (and checked) there
    offset = serializers.IntegerField(required=False)


def _filter_parameter(name: str, kind: Any, description: str, **options: Any) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, required=False, description=description, **options)


@extend_schema_view(
    list=extend_schema(
        summary="List audit events",
        description=AUDIT_EVENTS_DESCRIPTION,
        operation_id="list_audit_events",
        parameters=[
            _filter_parameter(
                "subject_type",
                {"type": "string", "minLength": 1, "maxLength": MAX_SUBJECT_TYPE_LENGTH},
                "Only events about this kind of subject (`account`, `bookings`)",
            ),
            _filter_parameter("subject", OpenApiTypes.UUID, "Only events about this account or record"),
            _filter_parameter("actor", OpenApiTypes.UUID, "Only events this account caused"),
            _filter_parameter("kind", OpenApiTypes.STR, "Only events of this kind", enum=[k.value for k in AuditKind]),
            _filter_parameter("since", OpenApiTypes.DATETIME, "Only events at or after this time (with an offset)"),
        ],
        responses={
            200: AuditEventSerializer(many=True),
            **problem_responses(422, instance=AUDIT_EVENTS_PATH, field="query.since"),
        },
    ),
)
@extend_schema(tags=["audit"])
class AuditEventViewSet(mixins.ListModelMixin, ServiceViewSet):
    serializer_class = AuditEventSerializer
    required_scopes: ClassVar[ScopeDeclaration] = MethodScopes(read=(AUDIT_READ,), write=(AUDIT_READ,))
    http_method_names = ("get", "head")

    def get_queryset(self) -> Any:
        request: Request = self.request
        filters = AuditEventFilters(data=request.query_params.dict())
        if not filters.is_valid():
            raise invalid("query", filters.errors)
        chosen = filters.validated_data
        events = AuditEvent.objects.order_by("-occurred_at", "-id")
        if "subject_type" in chosen:
            events = events.filter(subject_type=chosen["subject_type"])
        if "subject" in chosen:
            events = events.filter(subject_id=chosen["subject"])
        if "actor" in chosen:
            events = events.filter(actor_id=chosen["actor"])
        if "kind" in chosen:
            events = events.filter(kind=chosen["kind"])
        if "since" in chosen:
            events = events.filter(occurred_at__gte=chosen["since"])
        return events
