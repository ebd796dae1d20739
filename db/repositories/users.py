"""Users: which subjects are deactivated, and deactivating or reactivating one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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


async def save_profile(
    session: AsyncSession, *, subject: str, name: str, roles: list[str], level: str, jurisdiction_id: str | None,
    organisation: str | None, active: bool, by: str, reason: str, at: datetime,
) -> tuple[User, dict[str, list[Any]]]:
    """Create or change a user's profile; returns the row and its changed fields, old → new."""
    row = await session.get(User, subject, with_for_update=True)
    if row is None:
        row = User(subject=subject, active=True)
        session.add(row)
    new = {"name": name, "roles": roles, "level": level, "jurisdiction_id": jurisdiction_id, "organisation": organisation, "active": active}
    changes = {f: [getattr(row, f), v] for f, v in new.items() if getattr(row, f) != v}
    for f, v in new.items():
        setattr(row, f, v)
    if "active" in changes:
        row.status_changed_at, row.status_changed_by, row.status_reason = at, by, reason
    await session.flush()
    return row, changes


async def all_users(session: AsyncSession) -> list[User]:
    return list((await session.scalars(select(User).order_by(User.subject))).all())
