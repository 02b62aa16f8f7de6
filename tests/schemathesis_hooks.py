"""Schemathesis hooks of tests/test_schemathesis.py (loaded through SCHEMATHESIS_HOOKS).

A password the document allows (12 to 1024 characters) may still be refused by a service's password policy
(core/accounts/passwords.py, in both frameworks): it also refuses a common password (`000000000000`) and one like the
account's email or name, rules no JSON Schema can state (the field's description says them). The run is about the
document, so a password it generates that the document allows is swapped for one of the same length that no
blocklist holds; any other password (too short, too long, not a string: the run's invalid data) is left as it is, so
it must still be refused.
The policy itself is the rendered service's own tests' to check.
"""

from __future__ import annotations

from typing import Any, Final

import schemathesis

# The operations whose JSON body carries a new password (the token endpoint's form is left alone: its password is
# checked against the account's, never against the policy).
NEW_PASSWORD_OPERATIONS: Final = {"create_user", "update_user", "update_me", "register", "confirm_password_reset"}
UNCOMMON: Final = "Qv7#kZ2!mW9@pR4$xL6%"


def _allowed_by_the_document(value: object) -> bool:
    return isinstance(value, str) and 12 <= len(value) <= 1024 and "\x00" not in value


@schemathesis.hook
def map_body(context: schemathesis.HookContext, body: Any) -> Any:
    operation = context.operation
    if operation is None or operation.definition.raw.get("operationId") not in NEW_PASSWORD_OPERATIONS:
        return body
    if isinstance(body, dict) and _allowed_by_the_document(body.get("password")):
        length = len(body["password"])
        return {**body, "password": (UNCOMMON * (length // len(UNCOMMON) + 1))[:length]}
    return body
