"""The monthly ticket report: replace a month's lines, read them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.errors import integrity_as
from db.models import TicketMonthlyReport
from domain.ticket_report import MonthlyFigures


async def replace_month(session: AsyncSession, month: str, lines: list[MonthlyFigures], at: datetime) -> int:
    """Write the month's lines in place of any earlier run's (a re-run or a retried activity writes the same)."""
    await session.execute(delete(TicketMonthlyReport).where(TicketMonthlyReport.month == month))
    session.add_all(TicketMonthlyReport(**line.model_dump(), generated_at=at) for line in lines)
    # A second run of the month (the schedule and a manual one) wrote first: this one fails and its retry replaces.
    with integrity_as(exists=f"the report of {month} was written by another run meanwhile"):
        await session.flush()
    return len(lines)


async def lines_of(session: AsyncSession, month: str, dimension: str | None = None, key: str | None = None) -> list[TicketMonthlyReport]:
    stmt = select(TicketMonthlyReport).where(TicketMonthlyReport.month == month)
    if dimension is not None:
        stmt = stmt.where(TicketMonthlyReport.dimension == dimension)
    if key is not None:
        stmt = stmt.where(TicketMonthlyReport.key == key)
    return list((await session.scalars(stmt.order_by(TicketMonthlyReport.dimension, TicketMonthlyReport.key))).all())
