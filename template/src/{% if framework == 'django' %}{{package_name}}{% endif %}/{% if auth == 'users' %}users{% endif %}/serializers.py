"""Request and response shapes of the users API and of the JSON sign-in endpoints. Strict: unknown fields and type
coercion are refused; a password is accepted in a request and never written in a response."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.validators import EmailValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..api.serializers import StrictBooleanField, StrictCharField, StrictInputSerializer, StrictRegexField
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
from ..core.accounts.roles import MAX_ROLES_PER_ACCOUNT, ROLES, ROLES_DESCRIPTION, unknown_role_problem
from .models import User

SCOPE_PATTERN = f"^{SCOPE_NAME.pattern}$"  # RFC 6749 section 3.3: printable ASCII, no space, quote or '\'
EMAIL_HELP = "The login; unique whatever its case"
PASSWORD_HELP = f"{MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters, not a common password; never returned"
VERIFIED_HELP = "False for an account made by sign-up until its email is verified"


class PasswordField(StrictCharField):
    """A new password: a JSON string the password policy accepts (core/accounts/passwords.py), whose refusal is the
    422's message, the one every framework gives. The lengths are also declared, for the API's document; what
    depends on the account (its email, its name) is checked where the account is known (accounts.py)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            min_length=MIN_PASSWORD_LENGTH,
            max_length=MAX_PASSWORD_LENGTH,
            trim_whitespace=False,
            help_text=PASSWORD_HELP,
            **kwargs,
        )

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        problem = password_problem(data)  # before the fields' own length checks, whose messages are DRF's
        if problem is not None:
            raise serializers.ValidationError(problem, code="invalid")
        return data


class StrictEmailField(serializers.EmailField):
    """An account's email: a JSON string, checked and normalised by the one rule (core/accounts/emails.py), whose
    refusal is the 422's message. Django's own email validator is not run: it would refuse addresses the rule
    accepts."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=MAX_EMAIL_LENGTH, **kwargs)
        self.validators = [check for check in self.validators if not isinstance(check, EmailValidator)]

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            return normalised_email(data)
        except EmailRefused as refused:
            raise serializers.ValidationError(str(refused), code="invalid") from None


def scopes_field(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=StrictRegexField(SCOPE_PATTERN), max_length=50, help_text="Scopes the user's tokens may carry", **kwargs
    )


@extend_schema_field({"type": "string", "maxLength": 64, "enum": sorted(ROLES)})
class RoleNameField(StrictCharField):
    """A role's name: the document lists the declared roles, so a client knows the names the API accepts."""


class RolesField(serializers.ListField):
    """Roles the code declares (roles.py), each once; an unknown name is a 422 naming it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            child=RoleNameField(max_length=64),
            max_length=MAX_ROLES_PER_ACCOUNT,
            help_text=ROLES_DESCRIPTION,
            **kwargs,
        )

    def to_internal_value(self, data: Any) -> list[str]:
        names = list(super().to_internal_value(data))
        problem = unknown_role_problem(names)
        if problem is not None:
            raise serializers.ValidationError(problem, code="invalid")
        return sorted(set(names))


class UserCreateSerializer(StrictInputSerializer):
    """A new user (users:admin)."""

    email = StrictEmailField(help_text=EMAIL_HELP)
    password = PasswordField()
    full_name = StrictCharField(required=False, allow_blank=True, max_length=200, default="")
    scopes = scopes_field(required=False, default=list)
    roles = RolesField(required=False, default=list)
    is_active = StrictBooleanField(required=False, default=True)

    class Meta:
        ref_name = "UserIn"


class UserUpdateSerializer(StrictInputSerializer):
    """A partial update of any user (users:admin): the fields sent replace the user's, the others stay."""

    email = StrictEmailField(required=False, help_text=EMAIL_HELP)
    password = PasswordField(required=False)
    full_name = StrictCharField(required=False, allow_blank=True, max_length=200)
    scopes = scopes_field(required=False)
    roles = RolesField(required=False)
    is_active = StrictBooleanField(required=False)
    is_verified = StrictBooleanField(required=False, help_text=VERIFIED_HELP)

    class Meta:
        ref_name = "UserPatch"


class MeUpdateSerializer(StrictInputSerializer):
    """Changes to one's own account. A new password needs the current one and signs out every other session."""

    full_name = StrictCharField(required=False, allow_blank=True, max_length=200)
    password = PasswordField(required=False)
    current_password = StrictCharField(
        required=False, max_length=1024, trim_whitespace=False, help_text="Required with a new password"
    )

    class Meta:
        ref_name = "MePatch"


class UserSerializer(serializers.ModelSerializer[User]):
    """A user as stored and returned (never the password, nor its hash)."""

    scopes = serializers.ListField(child=serializers.CharField())
    roles = serializers.ListField(child=serializers.CharField(), help_text=ROLES_DESCRIPTION)

    class Meta:
        model = User
        fields = ("id", "email", "full_name", "is_active", "is_verified", "scopes", "roles", "created_at", "updated_at")
        extra_kwargs: ClassVar[dict[str, dict[str, str]]] = {"is_verified": {"help_text": VERIFIED_HELP}}
        ref_name = "User"


# --- the JSON sign-in endpoints (`/api/v1/auth/login`, `/refresh`, `/verify`) ------------------------------------
# Shape only: a non-empty string where one is due (text as sent: no trimming), nothing unknown. What the values may be
# (lengths, scope names) is checked where the token endpoint's form is (core/accounts/grants.py), with the same RFC
# 6749 errors.


def _given(**kwargs: Any) -> StrictCharField:
    return StrictCharField(trim_whitespace=False, min_length=1, **kwargs)  # min_length: the document says non-empty


def _secret(**kwargs: Any) -> StrictCharField:
    return _given(style={"input_type": "password"}, write_only=True, **kwargs)


def _scope() -> StrictCharField:
    return StrictCharField(
        trim_whitespace=False, required=False, allow_null=True, allow_blank=True, help_text=SCOPE_DESCRIPTION
    )


class LoginSerializer(StrictInputSerializer):
    """`POST /api/v1/auth/login`: the password grant as JSON."""

    email = _given(help_text=EMAIL_DESCRIPTION)
    password = _secret()
    scope = _scope()

    class Meta:
        ref_name = "LoginIn"


class RefreshSerializer(StrictInputSerializer):
    """`POST /api/v1/auth/refresh`: the refresh grant as JSON."""

    refresh_token = _secret(help_text=REFRESH_TOKEN_DESCRIPTION)
    scope = _scope()

    class Meta:
        ref_name = "RefreshIn"


class VerifySerializer(StrictInputSerializer):
    """`POST /api/v1/auth/verify`: the access token to introspect (RFC 7662)."""

    token = _secret(help_text=TOKEN_DESCRIPTION)

    class Meta:
        ref_name = "VerifyIn"
