"""Users: which subjects are deactivated, and deactivating or reactivating one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import User


async def deactivated_subjects(session: AsyncSession) -> frozenset[str]:
    """Every subject whose tokens are refused."""
    return frozenset((await session.scalars(select(User.subject).where(User.active.is_(False)))).all())


async def user(session: AsyncSession, subject: str) -> User | None:
    return await session.get(User, subject)


async def set_active(session: AsyncSession, *, subject: str, active: bool, by: str, reason: str, at: datetime) -> User:
    """Deactivate or reactivate ``subject``; a subject without a row gets one with an empty profile."""
    row = await session.get(User, subject, with_for_update=True)
    if row is None:
        row = User(subject=subject)
        session.add(row)
    row.active, row.status_changed_at, row.status_changed_by, row.status_reason = active, at, by, reason
    await session.flush()
    return row
