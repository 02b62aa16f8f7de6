"""The password policy of core/accounts/passwords.py as Django's password validator: AUTH_PASSWORD_VALIDATORS' one
entry, so that every Django tool that checks a password (`createsuperuser`, the admin's forms,
`validate_password`) applies the rule the API applies, with the same sentences."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from ..core.accounts.passwords import PASSWORD_RULE, password_problem


class PasswordPolicyValidator:
    def validate(self, password: str, user: object | None = None) -> None:
        email, full_name = getattr(user, "email", ""), getattr(user, "full_name", "")
        problem = password_problem(
            password,
            email=email if isinstance(email, str) else "",
            full_name=full_name if isinstance(full_name, str) else "",
        )
        if problem is not None:
            raise ValidationError(problem, code="password_policy")

    def get_help_text(self) -> str:
        return f"{PASSWORD_RULE.capitalize()}, not a common password, nor close to the account's email or name."
