"""Request and response models of the users resource and of the JSON sign-in endpoints. Strict: unknown fields and
type coercion are refused. A password is accepted in requests only, never returned, and its field never echoes the
value in a 422."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from ..core.accounts.emails import MAX_EMAIL_LENGTH, EmailRefused, normalised_email
from ..core.accounts.grants import (
    EMAIL_DESCRIPTION,
    MAX_PASSWORD_LENGTH,
    REFRESH_TOKEN_DESCRIPTION,
    SCOPE_DESCRIPTION,
    SCOPE_NAME,
)
from ..core.accounts.introspection import TOKEN_DESCRIPTION
from ..core.accounts.passwords import MIN_PASSWORD_LENGTH, password_problem
from ..core.accounts.roles import MAX_ROLES_PER_ACCOUNT, ROLES_DESCRIPTION, unknown_role_problem

_SCOPE: Final = f"^{SCOPE_NAME.pattern}$"


def _acceptable_email(value: str) -> str:
    """The stored form (core/accounts/emails.py); a refusal's message is the 422's, as it is in every framework."""
    try:
        return normalised_email(value)
    except EmailRefused as refused:
        raise PydanticCustomError("email", str(refused)) from None


def _declared_roles(names: list[str]) -> list[str]:
    """Roles the code declares (core/accounts/roles.py), each once; an unknown name is a 422 naming it."""
    problem = unknown_role_problem(names)
    if problem is not None:
        raise PydanticCustomError("role", problem)
    return sorted(set(names))


def _acceptable_password(value: str) -> str:
    problem = password_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


# `format: email` and 254 characters (RFC 5321's longest address) tell a client what `normalised_email` accepts.
Email = Annotated[
    str,
    StringConstraints(max_length=MAX_EMAIL_LENGTH),
    Field(json_schema_extra={"format": "email"}, description="The login; unique whatever its case"),
    AfterValidator(_acceptable_email),
]
FullName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200, pattern=r"^[^\x00]*$")]
Password = Annotated[
    str,
    Field(
        min_length=MIN_PASSWORD_LENGTH,
        max_length=MAX_PASSWORD_LENGTH,
        # The pattern says what password_problem refuses beyond the lengths: a NUL character.
        json_schema_extra={"format": "password", "writeOnly": True, "pattern": r"^[^\x00]*$"},
    ),
    AfterValidator(_acceptable_password),
]
Scope = Annotated[str, StringConstraints(pattern=_SCOPE)]
Scopes = Annotated[list[Scope], Field(max_length=50, description="The scopes this user's tokens may carry")]
Roles = Annotated[
    list[Annotated[str, StringConstraints(max_length=64)]],
    Field(max_length=MAX_ROLES_PER_ACCOUNT, description=ROLES_DESCRIPTION),
    AfterValidator(_declared_roles),
]


class User(BaseModel):
    """An account as the API shows it (never its password hash)."""

    id: UUID
    email: str
    full_name: str
    is_active: bool
    scopes: list[str]
    roles: list[str] = Field(description=ROLES_DESCRIPTION)
    created_at: datetime
    updated_at: datetime


class UserPage(BaseModel):
    items: list[User]
    total: int = Field(description="Users in all pages")
    limit: int
    offset: int


class UserIn(BaseModel):
    """A new account (admins)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    email: Email
    password: Password
    full_name: FullName = ""
    scopes: Scopes = Field(default_factory=list)
    roles: Roles = Field(default_factory=list)
    is_active: bool = True


def _unchanged() -> Any:
    """The default of a field of a partial update: None when the field is not sent, which is never validated nor
    documented; a `null` that is sent is refused (422) like any other value of the wrong type, since no field of an
    account can be emptied that way. Read which fields were sent from `model_fields_set`."""
    return Field(default=None)


class UserPatch(BaseModel):
    """Changes to any account (admins); a field not sent is kept. A new password or deactivation signs the user
    out everywhere."""

    model_config = ConfigDict(extra="forbid", strict=True)

    email: Email = _unchanged()
    full_name: FullName = _unchanged()
    scopes: Scopes = _unchanged()
    roles: Roles = _unchanged()
    is_active: bool = _unchanged()
    password: Password = _unchanged()


class MePatch(BaseModel):
    """Changes to one's own account. A new password needs the current one and signs out every other session."""

    model_config = ConfigDict(extra="forbid", strict=True)

    full_name: FullName = _unchanged()
    password: Password = _unchanged()
    current_password: Annotated[
        str, Field(max_length=MAX_PASSWORD_LENGTH, json_schema_extra={"format": "password", "writeOnly": True})
    ] = _unchanged()


# --- the JSON sign-in endpoints (`/api/v1/auth/login`, `/refresh`, `/verify`) ------------------------------------
# Shape only: a non-empty string where one is due, nothing unknown. What the values may be (lengths, scope names) is
# checked where the token endpoint's form is (core/accounts/grants.py), with the same RFC 6749 errors.

# A NUL character is a 422, as in every JSON body of the service (no database stores it).
NO_NUL: Final = r"^[^\x00]*$"
Given = Annotated[str, StringConstraints(min_length=1, pattern=NO_NUL)]
SecretGiven = Annotated[
    str, Field(min_length=1, pattern=NO_NUL, json_schema_extra={"format": "password", "writeOnly": True})
]
ScopeWanted = Annotated[Annotated[str, StringConstraints(pattern=NO_NUL)] | None, Field(description=SCOPE_DESCRIPTION)]


class LoginIn(BaseModel):
    """`POST /api/v1/auth/login`: the password grant as JSON."""

    model_config = ConfigDict(extra="forbid", strict=True)

    email: Annotated[Given, Field(description=EMAIL_DESCRIPTION)]
    password: SecretGiven
    scope: ScopeWanted = None


class RefreshIn(BaseModel):
    """`POST /api/v1/auth/refresh`: the refresh grant as JSON."""

    model_config = ConfigDict(extra="forbid", strict=True)

    refresh_token: Annotated[SecretGiven, Field(description=REFRESH_TOKEN_DESCRIPTION)]
    scope: ScopeWanted = None


class VerifyIn(BaseModel):
    """`POST /api/v1/auth/verify`: the access token to introspect (RFC 7662)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    token: Annotated[SecretGiven, Field(description=TOKEN_DESCRIPTION)]
