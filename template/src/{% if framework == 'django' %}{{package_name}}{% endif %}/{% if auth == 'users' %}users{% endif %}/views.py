"""`/api/v1/users`: one's own account (`/users/me`, any valid token) and, with the users:admin scope, every account.

DRF views on the REST_FRAMEWORK defaults (bearer token, throttling, pagination, problem+json errors). The account
rules (email rule, password policy, the revocations a change implies, the last admin kept) live in `accounts.py`,
shared with the admin and the `users` commands. The last active account holding `users:admin` cannot be deactivated,
demoted or deleted here (409, core/accounts/admins.py).
"""

from __future__ import annotations

from typing import Any, ClassVar, Final
from uuid import UUID

from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ..api.base import ServiceAPIView, ServiceViewSet
from ..api.errors import RequestValidationError, invalid
from ..api.schema import problem_responses
from ..api.scopes import ScopeDeclaration
from ..audit.recording import record
from ..core.accounts.admins import LAST_ADMIN, may_remove_admin, removes_admin
from ..core.accounts.audit import Origin, account_change_events, account_id
from ..core.accounts.roles import ROLES
from ..core.auth import Principal
from . import accounts
from .models import RefreshToken, User
from .scopes import USER_ADMIN_SCOPES
from .serializers import MeUpdateSerializer, UserCreateSerializer, UserSerializer, UserUpdateSerializer

USERS_PATH: Final = "/api/v1/users"
_EXAMPLE_ROLES: Final = sorted(ROLES)[-1:]  # a role the code declares, whatever a team renamed
_USER_INSTANCE: Final = f"{USERS_PATH}/3fa85f64-5717-4562-b3fc-2c963f66afa6"
EMAIL_TAKEN: Final = "An account with this email already exists"
REAUTHENTICATION_NEEDED: Final = "current_password is missing or wrong: it is needed to set a new password"
_DETAILS: Final = {404: "User 3fa85f64-5717-4562-b3fc-2c963f66afa6 does not exist", 409: EMAIL_TAKEN}
# Deactivating and deleting have one reason for a 409; changing a user two (its example is the email's).
_LAST_ADMIN_DETAILS: Final = {**_DETAILS, 409: LAST_ADMIN}
_ONE_USER_ERRORS: Final = problem_responses(404, 422, instance=_USER_INSTANCE, field="path.user_id", details=_DETAILS)
USER_ID = OpenApiParameter("user_id", OpenApiTypes.UUID, OpenApiParameter.PATH)

CREATE_EXAMPLES = [
    OpenApiExample(
        "minimal",
        summary="Email and password only",
        value={"email": "ada@example.com", "password": "correct horse battery staple"},
        request_only=True,
    ),
    OpenApiExample(
        "complete",
        summary="Every field",
        value={
            "email": "grace@example.com",
            "password": "a long passphrase nobody guesses",
            "full_name": "Grace Hopper",
            "scopes": ["items:read", "items:write"],
            "roles": _EXAMPLE_ROLES,
            "is_active": True,
        },
        request_only=True,
    ),
]
UPDATE_EXAMPLES = [
    OpenApiExample("scopes", summary="Grant scopes", value={"scopes": ["items:read"]}, request_only=True),
    OpenApiExample("deactivate", summary="Deactivate", value={"is_active": False}, request_only=True),
    OpenApiExample("roles", summary="Give roles (roles.py)", value={"roles": _EXAMPLE_ROLES}, request_only=True),
]
ME_EXAMPLES = [
    OpenApiExample("name", summary="Change your name", value={"full_name": "Ada Lovelace"}, request_only=True),
    OpenApiExample(
        "password",
        summary="Change your password (signs out your other sessions)",
        value={"current_password": "correct horse battery staple", "password": "a new long passphrase"},
        request_only=True,
    ),
]


class EmailTaken(exceptions.APIException):
    status_code = 409
    default_detail = EMAIL_TAKEN


class LastAdminConflict(exceptions.APIException):
    status_code = 409
    default_detail = LAST_ADMIN


class WrongCurrentPassword(exceptions.APIException):
    status_code = 400
    default_detail = REAUTHENTICATION_NEEDED


def password_refused(refused: accounts.PasswordRefused) -> RequestValidationError:
    return RequestValidationError([{"field": "body.password", "message": message} for message in refused.messages])


def validated(request: Request, serializer_class: type[Any]) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    if not serializer.is_valid():
        raise invalid("body", serializer.errors)
    return dict(serializer.validated_data)


def signed_in_user(request: Request) -> tuple[User, Principal]:
    """The active user the request's token speaks for (401 when the token's user is gone or inactive)."""
    principal = request.auth
    assert isinstance(principal, Principal)  # noqa: S101 - ScopePermission let only verified tokens through
    key = _uuid(principal.subject)
    user = None if key is None else User.objects.filter(pk=key).first()
    if user is None:  # deleted since the token was issued (its tokens are revoked: a token of another issuer)
        raise exceptions.NotFound(f"User {principal.subject} does not exist")
    return user, principal


def request_origin(request: Request) -> Origin:
    """Where a request comes from, for the audit trail: the client address the server resolved (REMOTE_ADDR, behind
    the trusted proxies of FORWARDED_ALLOW_IPS) and the request id."""
    return Origin.of_request(request.META.get("REMOTE_ADDR"))


def acting_account(request: Request) -> UUID | None:
    """The account the request's token speaks for (None for a subject that is no account of this service)."""
    principal = request.auth
    return account_id(principal.subject) if isinstance(principal, Principal) else None


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None


def _locked(user: User, changes: dict[str, Any]) -> User:
    """`user` as stored, its row locked until the transaction ends: of two changes at once, the second reads the
    first's, so an email change tells the address the account held just before it (A to B and A to C at once: A is
    told, then B; never A twice). Changes that may remove an admin lock the admins' rows first
    (`accounts.lock_admins` says why)."""
    if may_remove_admin(changes):
        accounts.lock_admins()
    locked = User.objects.select_for_update().filter(pk=user.pk).first()
    if locked is None:  # deleted since it was read
        raise exceptions.NotFound(f"User {user.pk} does not exist")
    return locked


def apply_changes(
    user: User, changes: dict[str, Any], *, origin: Origin, actor: UUID | None, keep_family: str | None = None
) -> User:
    """Write `changes` to `user` in one transaction, each recorded in the audit trail there: a new email (409 when
    taken), password (policy, revocations), deactivation. A change that fails part way leaves the account as it was."""
    password = changes.pop("password", None)
    password_hash = None if password is None else make_password(password)  # before the row locks: it takes a while
    if "email" in changes:
        changes["email"] = User.objects.normalize_email(changes["email"])
        if accounts.email_taken(changes["email"], other_than=user):
            raise EmailTaken
    changes.update({name: sorted(set(changes[name])) for name in ("scopes", "roles") if name in changes})
    try:
        with transaction.atomic():
            user = _locked(user, changes)
            email_changes = "email" in changes and changes["email"] != user.email
            deactivating = changes.get("is_active") is False and user.is_active
            takes_admin = removes_admin(user.scopes, user.roles, changes)
            was_verified = user.is_verified
            before = {name: getattr(user, name) for name in changes}
            for name, value in changes.items():
                setattr(user, name, value)
            if password is not None:
                try:
                    accounts.check_password_policy(password, user)
                except accounts.PasswordRefused as refused:
                    raise password_refused(refused) from None
            if takes_admin:
                accounts.refuse_removing_last_admin(user)
            user.save()
            if email_changes:
                accounts.after_email_change(user, before["email"], was_verified=was_verified)
            # A deactivation is recorded here, where it is stored; `accounts.deactivate` below finds it done.
            record(*account_change_events(before, changes, origin=origin, actor=actor, subject=user.pk))
            if password_hash is not None:
                user.password = password_hash
                accounts.save_new_password(user, origin=origin, actor=actor, keep_family=keep_family)
            if deactivating:
                accounts.deactivate(user, origin=origin, actor=actor)
    except IntegrityError:  # taken by another request since the check
        raise EmailTaken from None
    except accounts.LastAdmin:
        raise LastAdminConflict from None
    return user


class MeView(ServiceAPIView):
    """`/api/v1/users/me`: the account of the token's user."""

    http_method_names = ("get", "patch", "head")
    required_scopes: ClassVar[ScopeDeclaration] = {"GET": (), "PATCH": ()}  # any valid token: one's own account

    @extend_schema(
        summary="Read your account",
        operation_id="get_me",
        tags=["users"],
        responses={200: UserSerializer, **problem_responses(404, instance=f"{USERS_PATH}/me")},
    )
    def get(self, request: Request) -> Response:
        user, _ = signed_in_user(request)
        return Response(UserSerializer(user).data)

    @extend_schema(
        summary="Update your account",
        description="A new `password` needs `current_password`, and signs out every other session of yours.",
        operation_id="update_me",
        tags=["users"],
        request=MeUpdateSerializer,
        responses={
            200: UserSerializer,
            **problem_responses(400, 404, 413, 415, 422, instance=f"{USERS_PATH}/me", details=_DETAILS),
        },
        examples=ME_EXAMPLES,
    )
    def patch(self, request: Request) -> Response:
        user, principal = signed_in_user(request)
        changes = validated(request, MeUpdateSerializer)
        current = changes.pop("current_password", None)
        if "password" in changes and (current is None or not check_password(current, user.password)):
            raise WrongCurrentPassword
        session = RefreshToken.objects.filter(access_token_id=principal.token_id).values_list("family", flat=True)
        changed = apply_changes(
            user, changes, keep_family=session.first(), origin=request_origin(request), actor=user.pk
        )
        return Response(UserSerializer(changed).data)


@extend_schema_view(
    list=extend_schema(
        summary="List users",
        operation_id="list_users",
        responses={200: UserSerializer(many=True), **problem_responses(422, instance=USERS_PATH, field="query.limit")},
    ),
    create=extend_schema(
        summary="Create a user",
        operation_id="create_user",
        request=UserCreateSerializer,
        responses={
            201: UserSerializer,
            **problem_responses(400, 409, 413, 415, 422, instance=USERS_PATH, details=_DETAILS),
        },
        examples=CREATE_EXAMPLES,
    ),
    retrieve=extend_schema(
        summary="Read a user",
        operation_id="get_user",
        parameters=[USER_ID],
        responses={200: UserSerializer, **_ONE_USER_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Update some fields of a user",
        description="`is_active: false` deactivates the user and revokes every token they hold; a new `password` "
        "revokes them too. 409 when the email is taken, or when the change would leave no active account holding "
        "users:admin.",
        operation_id="update_user",
        parameters=[USER_ID],
        request=UserUpdateSerializer,
        responses={
            200: UserSerializer,
            **problem_responses(400, 404, 409, 413, 415, 422, instance=_USER_INSTANCE, details=_DETAILS),
        },
        examples=UPDATE_EXAMPLES,
    ),
    deactivate=extend_schema(
        summary="Deactivate a user",
        description="The account can no longer log in, and its sessions end on every replica within about a second. "
        "409 for the last active account holding users:admin.",
        operation_id="deactivate_user",
        parameters=[USER_ID],
        request=None,
        responses={
            200: UserSerializer,
            **problem_responses(
                404,
                409,
                422,
                instance=f"{_USER_INSTANCE}/deactivate",
                field="path.user_id",
                details=_LAST_ADMIN_DETAILS,
            ),
        },
    ),
    destroy=extend_schema(
        summary="Delete a user",
        description="Signs the user out everywhere. 409 for the last active account holding users:admin.",
        operation_id="delete_user",
        parameters=[USER_ID],
        responses={
            204: None,
            **problem_responses(
                404, 409, 422, instance=_USER_INSTANCE, field="path.user_id", details=_LAST_ADMIN_DETAILS
            ),
        },
    ),
)
@extend_schema(tags=["users"])
class UserViewSet(mixins.ListModelMixin, ServiceViewSet):
    queryset = User.objects.all()
    serializer_class = UserSerializer
    lookup_url_kwarg = "user_id"
    lookup_value_converter = "str"  # `<str:user_id>`: a malformed id is a 422 from get_object, not a 404
    required_scopes = USER_ADMIN_SCOPES
    http_method_names = ("get", "post", "patch", "delete", "head")

    def get_queryset(self) -> Any:
        return User.objects.all()

    def get_object(self) -> User:
        user_id: str = self.kwargs[self.lookup_url_kwarg]
        key = _uuid(user_id)
        if key is None:
            raise RequestValidationError([{"field": "path.user_id", "message": "Input should be a valid UUID"}])
        user = User.objects.filter(pk=key).first()
        if user is None:
            raise exceptions.NotFound(f"User {key} does not exist")
        return user

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        fields = validated(request, UserCreateSerializer)
        try:
            user = accounts.create_user(
                fields.pop("email"),
                fields.pop("password"),
                origin=request_origin(request),
                actor=acting_account(request),
                **fields,
            )
        except accounts.PasswordRefused as refused:
            raise password_refused(refused) from None
        except accounts.EmailTaken:
            raise EmailTaken from None
        location = f"{request.path.rstrip('/')}/{user.pk}"
        return Response(UserSerializer(user).data, status=201, headers={"Location": location})

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(UserSerializer(self.get_object()).data)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = self.get_object()
        changes = validated(request, UserUpdateSerializer)
        changed = apply_changes(user, changes, origin=request_origin(request), actor=acting_account(request))
        return Response(UserSerializer(changed).data)

    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = self.get_object()
        try:
            accounts.deactivate(user, origin=request_origin(request), actor=acting_account(request))
        except accounts.LastAdmin:
            raise LastAdminConflict from None
        return Response(UserSerializer(user).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            accounts.delete(self.get_object(), origin=request_origin(request), actor=acting_account(request))
        except accounts.LastAdmin:
            raise LastAdminConflict from None
        return Response(status=204)
