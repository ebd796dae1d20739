"""The monthly ticket report, written by its scheduled workflow."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class TicketMonthlyReport(Base):
    """One line of a month's report: city, a street or a company (domain.ticket_report)."""

    __tablename__ = "ticket_monthly_reports"
    __table_args__ = (UniqueConstraint("month", "dimension", "key", name="uq_ticket_monthly_reports_line"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    dimension: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64))
    intake: Mapped[int] = mapped_column(Integer)
    closed: Mapped[int] = mapped_column(Integer)
    overdue: Mapped[int] = mapped_column(Integer)
    satisfied: Mapped[int] = mapped_column(Integer)
    avg_handling_seconds: Mapped[int | None] = mapped_column(BigInteger)
    satisfaction_percent: Mapped[float | None] = mapped_column(Float)
    intake_last_year: Mapped[int] = mapped_column(Integer)
    yoy_change_percent: Mapped[float | None] = mapped_column(Float)
    yoy_target_met: Mapped[bool | None] = mapped_column(Boolean)
    generated_at: Mapped[datetime]
