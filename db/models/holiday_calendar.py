"""The table of published years of the holiday calendar (放假调休安排), one row per year."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class HolidayCalendarYear(Base):
    """One published year: the notice's reference, the days off and the 调休 working days, at its revision.

    The row holds the current revision; every publication, earlier ones included, is in the
    audit log under ``calendar-<year>``.
    """

    __tablename__ = "holiday_calendar_years"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    notice: Mapped[str] = mapped_column(String(200))
    # [{"name": "元旦", "first": "2027-01-01", "last": "2027-01-03"}, ...]
    holidays: Mapped[list[Any]]
    # ["2027-02-20", ...]
    makeup_workdays: Mapped[list[str]]
    revision: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime]
    published_by: Mapped[str] = mapped_column(String(64))
    published_by_name: Mapped[str | None] = mapped_column(String(100))
