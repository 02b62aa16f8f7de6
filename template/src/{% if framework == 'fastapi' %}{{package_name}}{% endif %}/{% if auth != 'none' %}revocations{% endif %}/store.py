"""`RevokedTokenStore` (core/revoked_tokens.py) in the `revoked_tokens` table. Each call is its own transaction: a
revocation must last even when the request that made it fails afterwards."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..database import session_transaction
from .table import revoked_tokens


class SqlRevokedTokenStore:
    """`RevokedTokenStore` in the `revoked_tokens` table; each call is its own transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def add(self, token_id: str, until: float) -> None:
        async with session_transaction(self._sessions) as session:
            current = await session.execute(select(revoked_tokens.c.until).where(revoked_tokens.c.token_id == token_id))
            known = current.scalar_one_or_none()
            if known is None:
                await session.execute(insert(revoked_tokens).values(token_id=token_id, until=until))
            elif known < until:
                statement = update(revoked_tokens).where(revoked_tokens.c.token_id == token_id).values(until=until)
                await session.execute(statement)

    async def live(self, now: float) -> dict[str, float]:
        async with session_transaction(self._sessions) as session:
            await session.execute(delete(revoked_tokens).where(revoked_tokens.c.until <= now))
            rows = await session.execute(select(revoked_tokens.c.token_id, revoked_tokens.c.until))
            return {token_id: float(until) for token_id, until in rows.all()}
