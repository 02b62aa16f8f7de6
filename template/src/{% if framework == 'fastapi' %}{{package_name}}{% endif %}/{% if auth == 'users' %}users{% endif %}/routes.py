"""`/api/v1/users`: one's own account (`/me`, any signed-in user) and, with `users:admin`, every account.
Deactivating or deleting a user, or giving them a new password, signs them out everywhere. The last active account
holding `users:admin` cannot be deactivated, demoted or deleted here (409, core/accounts/admins.py).

Writes that end sessions commit the change first, in a transaction of their own, then end the sessions (each
revocation its own transaction too): one writer at a time, which SQLite needs, and no signed-out session left
behind a change that was rolled back."""

from __future__ import annotations

from typing import Annotated, Any, Final
from uuid import UUID

from fastapi import Body, Query, Request, status
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.responses import Response

from ..api.auth import Principal
from ..api.dependencies import DatabaseSessionDep
from ..api.json_body import JSON_BODY
from ..api.paths import API_V1
from ..context import app_context
from ..core import auth
from ..core.accounts.admins import LAST_ADMIN
from ..core.accounts.roles import ROLES, holds
from ..core.problems import PROBLEM_MEDIA_TYPE
from ..database import session_transaction
from ..problems import problem_openapi_responses
from ..route_guards import api_router
from . import store
from .accounts import Accounts
from .models import MePatch, User, UserIn, UserPage, UserPatch
from .scopes import ADMIN, SIGNED_IN, USERS_ADMIN


class UserIdConvertor(Convertor[str]):
    """`{user_id:user_id}`: any path segment but `me`, which is `/users/me` (a route of its own). Without it,
    `DELETE /users/me` would be `DELETE /users/{user_id}` with a malformed id (422) rather than a method `/users/me`
    does not allow (405 with `Allow`). Any other malformed id still reaches the route: a 422 naming `path.user_id`."""

    regex = "(?!me$)[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return str(value)


register_url_convertor("user_id", UserIdConvertor())
ONE_USER: Final = "/{user_id:user_id}"

router = api_router(prefix=f"{API_V1}/users", tags=["users"], description="Accounts: your own, and (admins) all.")

WRONG_PASSWORD: Final = "current_password is missing or wrong: it is needed to set a new password"  # noqa: S105
DUPLICATE_EMAIL: Final = "An account with this email already exists"
_DETAILS: Final = {404: "User 3fa85f64-5717-4562-b3fc-2c963f66afa6 does not exist", 409: DUPLICATE_EMAIL}

_EXAMPLE_ROLES: Final = sorted(ROLES)[-1:]  # a role the code declares, whatever a team renamed
USER_EXAMPLES: dict[str, Any] = {
    "reader": {
        "summary": "An account that may read items",
        "value": {"email": "ada@example.com", "password": "correct horse battery", "scopes": ["items:read"]},
    },
    "complete": {
        "summary": "Every field",
        "value": {
            "email": "grace@example.com",
            "password": "a long passphrase of hers",
            "full_name": "Grace Hopper",
            "scopes": ["items:read", "items:write"],
            "roles": _EXAMPLE_ROLES,
            "is_active": True,
        },
    },
}
PATCH_EXAMPLES: dict[str, Any] = {
    "deactivate": {"summary": "Disable the account (signs it out everywhere)", "value": {"is_active": False}},
    "scopes": {"summary": "Change what the account may do", "value": {"scopes": ["items:read"]}},
    "roles": {"summary": "Give the account roles (core/accounts/roles.py)", "value": {"roles": _EXAMPLE_ROLES}},
}
ME_EXAMPLES: dict[str, Any] = {
    "name": {"summary": "Change your name", "value": {"full_name": "Ada Lovelace"}},
    "password": {
        "summary": "Change your password (signs out your other sessions)",
        "value": {"current_password": "correct horse battery", "password": "an even longer passphrase"},
    },
}


def _errors(*statuses: int, invalid: str, message: str) -> dict[int | str, dict[str, Any]]:
    """Documented problem responses whose 422 example names a field this operation has."""
    responses = problem_openapi_responses(*statuses, details=_DETAILS)
    responses[422]["content"][PROBLEM_MEDIA_TYPE]["example"]["errors"] = [{"field": invalid, "message": message}]
    return responses


def _last_admin_errors(*statuses: int, invalid: str, message: str) -> dict[int | str, dict[str, Any]]:
    """`_errors` of deactivating and deleting, whose one reason for a 409 is the last admin (changing a user has two:
    its example is the email's)."""
    responses = _errors(*statuses, invalid=invalid, message=message)
    responses[409]["content"][PROBLEM_MEDIA_TYPE]["example"]["detail"] = LAST_ADMIN
    return responses


_BAD_ID = {"invalid": "path.user_id", "message": "Input should be a valid UUID"}
_BAD_EMAIL = {"invalid": "body.email", "message": "Value error, is not an email address (name@domain.tld)"}
_BAD_NAME = {"invalid": "body.full_name", "message": "String should have at most 200 characters"}
_BAD_LIMIT = {"invalid": "query.limit", "message": "Input should be less than or equal to 100"}


def _not_found(user_id: UUID | str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"User {user_id} does not exist")


def _own_id(principal: auth.Principal) -> UUID:
    """The caller's user id (the token's `sub`); a token of no account of this service (another issuer's subject,
    signed with a shared key) has none: 404."""
    try:
        return UUID(principal.subject)
    except ValueError:
        raise _not_found(principal.subject[:64]) from None


def _last_admin() -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, LAST_ADMIN)


def _removes_admin(changes: UserPatch, row: Any) -> bool:
    """Whether these changes take users:admin from the account `row` (deactivation, or scopes and roles that no
    longer give it)."""
    sent = changes.model_fields_set
    if "is_active" in sent and changes.is_active is False:
        return True
    scopes = changes.scopes if "scopes" in sent else row.scopes
    roles = changes.roles if "roles" in sent else row.roles
    return bool(sent & {"scopes", "roles"}) and not holds(scopes, roles, USERS_ADMIN)


def _accounts(request: Request) -> Accounts:
    return app_context(request.app).component(Accounts)


@router.get("/me", summary="Your account", dependencies=SIGNED_IN, responses=problem_openapi_responses(404))
async def get_me(principal: Principal, session: DatabaseSessionDep) -> User:
    user = await store.get_user(session, _own_id(principal))
    if user is None:
        raise _not_found(principal.subject)
    return user


@router.patch(
    "/me",
    summary="Change your account",
    dependencies=[*SIGNED_IN, *JSON_BODY],
    responses=_errors(400, 404, 413, 415, 422, **_BAD_NAME),
)
async def update_me(
    request: Request, principal: Principal, changes: Annotated[MePatch, Body(openapi_examples=ME_EXAMPLES)]
) -> User:
    user_id = _own_id(principal)
    accounts = _accounts(request)
    async with session_transaction(accounts.sessions) as session:
        row = await store.user_row(session, user_id=user_id)
        if row is None:
            raise _not_found(user_id)
        sent = changes.model_fields_set
        values: dict[str, Any] = changes.model_dump(include={"full_name"} & sent)
        if "password" in sent:
            current = changes.current_password if "current_password" in sent else ""
            matches, _ = await accounts.passwords.verify(current, row.password_hash)
            if not matches:
                raise HTTPException(status.HTTP_400_BAD_REQUEST, WRONG_PASSWORD)
            values["password_hash"] = await accounts.passwords.hash(changes.password)
        user = await store.update_user(session, user_id, values)
        ended: list[tuple[str, int]] = []
        if user is not None and "password" in sent:
            # Signed out in the new password's transaction: both commit, or neither.
            ended = await accounts.sign_out_everywhere(session, user_id, keep_token_id=principal.token_id)
    if user is None:
        raise _not_found(user_id)
    await accounts.revoke_access_tokens(ended)
    return user


@router.get("", summary="List users", dependencies=ADMIN, responses=_errors(422, **_BAD_LIMIT))
async def list_users(
    session: DatabaseSessionDep,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Users to skip")] = 0,
) -> UserPage:
    users, total = await store.page_users(session, limit=limit, offset=offset)
    return UserPage(items=users, total=total, limit=limit, offset=offset)


@router.post(
    "",
    summary="Create a user",
    status_code=status.HTTP_201_CREATED,
    dependencies=[*ADMIN, *JSON_BODY],
    responses=_errors(400, 409, 413, 415, 422, **_BAD_EMAIL),
)
async def create_user(
    request: Request,
    data: Annotated[UserIn, Body(openapi_examples=USER_EXAMPLES)],
    session: DatabaseSessionDep,
    response: Response,
) -> User:
    password_hash = await _accounts(request).passwords.hash(data.password)
    try:
        user = await store.create_user(
            session,
            email=data.email,
            password_hash=password_hash,
            full_name=data.full_name,
            scopes=data.scopes,
            roles=data.roles,
            is_active=data.is_active,
        )
    except store.DuplicateEmailError:
        raise HTTPException(status.HTTP_409_CONFLICT, DUPLICATE_EMAIL) from None
    response.headers["Location"] = str(request.url_for("get_user", user_id=user.id).path)
    return user


@router.get(
    ONE_USER,
    summary="Read a user",
    dependencies=ADMIN,
    responses=_errors(404, 422, **_BAD_ID),
)
async def get_user(user_id: UUID, session: DatabaseSessionDep) -> User:
    user = await store.get_user(session, user_id)
    if user is None:
        raise _not_found(user_id)
    return user


@router.patch(
    ONE_USER,
    summary="Change a user",
    description="A new password or `is_active: false` signs the user out everywhere. 409 when the email is taken, "
    "or when the change would leave no active account holding users:admin.",
    dependencies=[*ADMIN, *JSON_BODY],
    responses=_errors(400, 404, 409, 413, 415, 422, **_BAD_EMAIL),
)
async def update_user(
    request: Request, user_id: UUID, changes: Annotated[UserPatch, Body(openapi_examples=PATCH_EXAMPLES)]
) -> User:
    accounts = _accounts(request)
    values: dict[str, Any] = changes.model_dump(exclude_unset=True, exclude={"password"})
    new_password = "password" in changes.model_fields_set
    if new_password:
        values["password_hash"] = await accounts.passwords.hash(changes.password)
    try:
        async with session_transaction(accounts.sessions) as session:
            if changes.model_fields_set & {"is_active", "scopes", "roles"}:
                row = await store.user_row(session, user_id=user_id)
                if row is not None and _removes_admin(changes, row):
                    await store.refuse_removing_last_admin(session, user_id)
            user = await store.update_user(session, user_id, values)
            ended: list[tuple[str, int]] = []
            if user is not None and (new_password or changes.is_active is False):
                # Signed out in the change's transaction: a new password never commits with the old sessions alive.
                ended = await accounts.sign_out_everywhere(session, user_id)
    except store.DuplicateEmailError:
        raise HTTPException(status.HTTP_409_CONFLICT, DUPLICATE_EMAIL) from None
    except store.LastAdminError:
        raise _last_admin() from None
    if user is None:
        raise _not_found(user_id)
    await accounts.revoke_access_tokens(ended)
    return user


@router.post(
    f"{ONE_USER}/deactivate",
    summary="Deactivate a user",
    description="The account can no longer log in, and its sessions end on every replica within about a second. "
    "409 for the last active account holding users:admin.",
    dependencies=ADMIN,
    responses=_last_admin_errors(404, 409, 422, **_BAD_ID),
)
async def deactivate_user(request: Request, user_id: UUID) -> User:
    accounts = _accounts(request)
    try:
        async with session_transaction(accounts.sessions) as session:
            await store.refuse_removing_last_admin(session, user_id)
            user = await store.update_user(session, user_id, {"is_active": False})
    except store.LastAdminError:
        raise _last_admin() from None
    if user is None:
        raise _not_found(user_id)
    await accounts.end_user_sessions(user_id)
    return user


@router.delete(
    ONE_USER,
    summary="Delete a user",
    description="Signs the user out everywhere. 409 for the last active account holding users:admin.",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    dependencies=ADMIN,
    responses=_last_admin_errors(404, 409, 422, **_BAD_ID),
)
async def delete_user(request: Request, user_id: UUID) -> Response:
    accounts = _accounts(request)
    try:
        # Checked before the sessions end (a refusal changes nothing), and again where the user is deleted: an
        # admin removed meanwhile by another request must not make this one the last to go.
        async with session_transaction(accounts.sessions) as session:
            await store.refuse_removing_last_admin(session, user_id)
        await accounts.end_user_sessions(user_id)  # first: deleting the user deletes its refresh tokens
        async with session_transaction(accounts.sessions) as session:
            await store.refuse_removing_last_admin(session, user_id)
            deleted = await store.delete_user(session, user_id)
    except store.LastAdminError:
        raise _last_admin() from None
    if not deleted:
        raise _not_found(user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
