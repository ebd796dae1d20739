"""Used Idempotency-Keys: claim one for a request, read it back, keep the answer it gave."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.errors import AlreadyExists
from db.models import UsedKey
from db.session import transaction


async def claim(sessions: async_sessionmaker[AsyncSession], row: UsedKey) -> UsedKey:
    """The key's row: ``row`` if the key was free (stored now), else the row its first request stored.

    Its own short transaction, so two requests with one key meet at the primary key, not later.
    """
    for _ in range(3):
        async with sessions() as session:
            stored = await session.get(UsedKey, row.key)
        if stored is not None:
            return stored
        try:
            async with transaction(sessions) as session:
                session.add(row)
            return row
        except AlreadyExists:
            continue  # the other request stored it meanwhile: read it
    raise AlreadyExists("the Idempotency-Key is being claimed by another request; send the request again")


async def keep_response(sessions: async_sessionmaker[AsyncSession], key: str, response: dict[str, Any]) -> None:
    """Remember what the key's request answered, so a repeat answers the same."""
    async with transaction(sessions) as session:
        row = await session.get(UsedKey, key)
        if row is not None and row.response is None:  # the first answer stays the answer
            row.response = response


def new_row(
    *, key: str, fingerprint: str, actor_subject: str, route: str, target: str, decision: str | None, body_sha256: str,
    at: datetime,
) -> UsedKey:
    """A key's row as the first request with it stores it."""
    return UsedKey(
        key=key, fingerprint=fingerprint, actor_subject=actor_subject, route=route, target=target, decision=decision,
        body_sha256=body_sha256, response=None, created_at=at,
    )
