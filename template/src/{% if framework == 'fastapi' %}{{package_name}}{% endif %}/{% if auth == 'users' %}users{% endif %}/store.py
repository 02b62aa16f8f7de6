"""The accounts' SQL: users and refresh tokens, each function in the caller's session (its transaction). Revoked
access token ids are `revocations/store.py`'s."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import String, bindparam, cast, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..database import fetch_one
from .models import User
from .scopes import USERS_ADMIN
from .table import refresh_tokens, users


class DuplicateEmailError(Exception):
    """Another account already has this email (409)."""


class LastAdminError(Exception):
    """The change would leave no active account holding users:admin (409, core/accounts/admins.py)."""


# Built once: `fetch_one` compiles a statement once (GET /users/me and /users/{id} read by id).
_USER_BY_ID = select(users).where(users.c.id == bindparam("user_id"))


def _user(row: Any) -> User:
    return _user_from(row._mapping)


def _user_from(values: Mapping[Any, Any]) -> User:
    return User.model_validate({name: value for name, value in values.items() if name != "password_hash"})


async def user_row(session: AsyncSession, *, user_id: UUID | None = None, email: str | None = None) -> Any:
    """The user's row (its password hash included), by id or by normalised email; None when there is none."""
    condition = users.c.id == user_id if user_id is not None else users.c.email == email
    return (await session.execute(select(users).where(condition))).first()


async def get_user(session: AsyncSession, user_id: UUID) -> User | None:
    values = await fetch_one(session, _USER_BY_ID, user_id=user_id)  # one round trip, past the ORM (database.py)
    return None if values is None else _user_from(values)


async def page_users(session: AsyncSession, *, limit: int, offset: int) -> tuple[list[User], int]:
    query = select(users).order_by(users.c.created_at, users.c.id).limit(limit).offset(offset)
    rows = (await session.execute(query)).all()
    total = (await session.execute(select(func.count()).select_from(users))).scalar_one()
    return [_user(row) for row in rows], total


async def create_user(
    session: AsyncSession, *, email: str, password_hash: str, full_name: str, scopes: Sequence[str], is_active: bool
) -> User:
    now = datetime.now(UTC)
    values = {
        "id": uuid.uuid4(),
        "email": email,
        "full_name": full_name,
        "is_active": is_active,
        "scopes": sorted(set(scopes)),
        "password_hash": password_hash,
        "created_at": now,
        "updated_at": now,
    }
    try:
        async with session.begin_nested():
            row = (await session.execute(insert(users).values(values).returning(*users.c))).one()
    except IntegrityError as exc:
        raise DuplicateEmailError from exc
    return _user(row)


async def update_user(session: AsyncSession, user_id: UUID, changes: Mapping[str, Any]) -> User | None:
    values = {**changes, "updated_at": datetime.now(UTC)}
    if "scopes" in values:
        values["scopes"] = sorted(set(values["scopes"]))
    try:
        async with session.begin_nested():
            statement = update(users).where(users.c.id == user_id).values(values).returning(*users.c)
            row = (await session.execute(statement)).first()
    except IntegrityError as exc:
        raise DuplicateEmailError from exc
    return None if row is None else _user(row)


async def refuse_removing_last_admin(session: AsyncSession, user_id: UUID) -> None:
    """`LastAdminError` when `user_id` is, as stored, the only active account holding users:admin. Call it in the
    transaction that deactivates, demotes or deletes the user, before that write: the active admins' rows stay
    locked (PostgreSQL) until it commits, so a concurrent removal of another admin waits, then sees this one gone."""
    # The JSON text narrows the rows to lock (a scope name never holds a quote); the list itself decides.
    holders = (
        select(users.c.id, users.c.scopes)
        .where(users.c.is_active.is_(True), cast(users.c.scopes, String).contains(f'"{USERS_ADMIN}"', autoescape=True))
        .order_by(users.c.id)
        .with_for_update()
    )
    admins = [row.id for row in (await session.execute(holders)).all() if USERS_ADMIN in row.scopes]
    if admins == [user_id]:
        raise LastAdminError


async def delete_user(session: AsyncSession, user_id: UUID) -> bool:
    result = await session.execute(delete(users).where(users.c.id == user_id).returning(users.c.id))
    return result.first() is not None


# --- refresh tokens ---


async def add_refresh_token(session: AsyncSession, values: Mapping[str, Any]) -> None:
    await session.execute(insert(refresh_tokens).values({**values, "created_at": datetime.now(UTC)}))


async def refresh_token_row(session: AsyncSession, token_hash: str) -> Any:
    query = select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash)
    return (await session.execute(query)).first()


async def spend_refresh_token(session: AsyncSession, token_hash: str) -> bool:
    """Mark the token used; False when it already was (or was revoked): exactly one of two racing requests wins."""
    statement = (
        update(refresh_tokens)
        .where(
            refresh_tokens.c.token_hash == token_hash,
            refresh_tokens.c.used_at.is_(None),
            refresh_tokens.c.revoked_at.is_(None),
        )
        .values(used_at=datetime.now(UTC))
        .returning(refresh_tokens.c.token_hash)
    )
    return (await session.execute(statement)).first() is not None


async def family_of_access_token(session: AsyncSession, token_id: str) -> str | None:
    query = select(refresh_tokens.c.family_id).where(refresh_tokens.c.access_token_id == token_id).limit(1)
    return (await session.execute(query)).scalar_one_or_none()


async def end_sessions(
    session: AsyncSession, *, family_id: str | None = None, user_id: UUID | None = None, keep_family: str | None = None
) -> list[tuple[str, int]]:
    """Revoke the refresh tokens of a family, or of every family of a user (but `keep_family`). Returns the access
    token ids issued with them that have not expired yet, with their expiry: the caller revokes those.

    A family may grow meanwhile: a refresh spends a member and records the next one in one transaction, and a
    PostgreSQL statement (READ COMMITTED) sees only the rows committed when it began. So the rows are locked and
    revoked in rounds until a round finds none left: each round waits for the refreshes holding a member's row, and
    the next one sees what they created; a later refresh waits for these locks and then finds its token revoked."""
    condition = (
        refresh_tokens.c.family_id == family_id if family_id is not None else refresh_tokens.c.user_id == user_id
    )
    if keep_family is not None:
        condition = condition & (refresh_tokens.c.family_id != keep_family)
    # Locked in key order: two revocations of one family never wait for each other's locks in a cycle.
    unrevoked = (
        select(refresh_tokens.c.token_hash)
        .where(condition, refresh_tokens.c.revoked_at.is_(None))
        .order_by(refresh_tokens.c.token_hash)
        .with_for_update()
    )
    while hashes := (await session.execute(unrevoked)).scalars().all():
        revoke = update(refresh_tokens).where(refresh_tokens.c.token_hash.in_(hashes))
        await session.execute(revoke.values(revoked_at=datetime.now(UTC)))
    now = int(time.time())
    live = select(refresh_tokens.c.access_token_id, refresh_tokens.c.access_expires_at).where(
        condition, refresh_tokens.c.access_expires_at > now
    )
    access = [(token_id, expires_at) for token_id, expires_at in (await session.execute(live)).all()]
    await session.execute(delete(refresh_tokens).where(refresh_tokens.c.expires_at <= now))  # keep the table small
    return access
