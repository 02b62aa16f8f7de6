"""The service always keeps an account that may manage accounts. The users API refuses (409, `LAST_ADMIN`) to
deactivate, demote or delete the last active account holding `users:admin`, whoever asks, the admin itself
included: otherwise only an operator with a shell could manage accounts again. The `users` command still may (it
warns, `NO_ADMIN_LEFT`): it is how an operator recovers, and how a stolen last admin account is stopped at once.

Each framework checks it in the transaction that makes the change, with the active admins' rows locked (PostgreSQL),
so that two admins removing each other at once cannot both succeed."""

from __future__ import annotations

from typing import Final

LAST_ADMIN: Final = (
    "This is the last active account holding users:admin: grant users:admin to another account before "
    "deactivating, demoting or deleting it"
)
NO_ADMIN_LEFT: Final = "warning: no active account holds users:admin any more; `users create EMAIL --admin` makes one"
