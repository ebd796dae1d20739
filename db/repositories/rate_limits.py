"""The rate limits' token buckets: one statement takes a token, whichever API process asks.

A bucket holds ``capacity`` tokens and refills at ``capacity`` per ``period`` seconds. Taking a
token is one upsert that refills the stored bucket up to ``now`` and takes one if there is one,
under the row's lock, so two processes taking at once both count. ``now`` is the caller's clock
(seconds since the epoch); a clock behind the stored one refills nothing and leaves ``at`` where
it was.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import ColumnElement, Table, case, delete, literal
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import RateBucket
from db.session import dialect_name

BUCKETS = cast(Table, RateBucket.__table__)


def _least(a: ColumnElement[Any], b: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((a < b, a), else_=b)


async def take(session: AsyncSession, key: str, capacity: int, period: float, now: float) -> float:
    """Take one token from bucket ``key``: 0 when granted, else the seconds until one is free."""
    rate = capacity / period
    stored_at, stored_tokens = BUCKETS.c.at, BUCKETS.c.tokens
    now_ = literal(now)
    elapsed = case((now_ > stored_at, now_ - stored_at), else_=literal(0.0))
    refilled = _least(stored_tokens + elapsed * literal(rate), literal(float(capacity)))
    insert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    new = insert(BUCKETS).values(key=key, tokens=float(capacity - 1), at=now, granted=True)
    stmt = new.on_conflict_do_update(index_elements=[BUCKETS.c.key], set_={
        "tokens": case((refilled >= 1, refilled - 1), else_=refilled),
        "at": case((now_ > stored_at, now_), else_=stored_at),
        "granted": refilled >= 1,
    }).returning(BUCKETS.c.tokens, BUCKETS.c.granted)
    tokens, granted = (await session.execute(stmt)).one()
    return 0.0 if granted else (1 - tokens) / rate


async def forget_full(session: AsyncSession, now: float, period: float) -> int:
    """Drop the buckets untouched for a whole period: they are full again, as a missing one is."""
    result = await session.execute(delete(RateBucket).where(RateBucket.at < now - period))
    return int(getattr(result, "rowcount", 0) or 0)
