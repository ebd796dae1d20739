"""Tickets taken in over two years to a day, for the year-to-date complaints report."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Ticket
from domain.calendar import CITY_TZ
from domain.complaints_report import ComplaintSample, same_day_a_year_before


async def samples_through(session: AsyncSession, through: date) -> list[ComplaintSample]:
    """Every ticket taken in from 1 January of the year before to ``through`` (city time)."""
    start = datetime.combine(date(same_day_a_year_before(through).year, 1, 1), time(0), tzinfo=CITY_TZ)
    end = datetime.combine(through + timedelta(days=1), time(0), tzinfo=CITY_TZ)
    rows = await session.execute(
        select(Ticket.created_at, Ticket.street_id, Ticket.company_id).where(Ticket.created_at >= start, Ticket.created_at < end)
    )
    return [ComplaintSample(created_at=c, street_id=s, company_id=co) for c, s, co in rows.all()]
