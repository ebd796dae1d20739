"""The baselines the reports measure targets against, entered by the housing bureau (one row per report)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class ReportBaseline(Base):
    """A report's baseline (e.g. the fund's pre-system approval time); absent: the rules' placeholder [C]."""

    __tablename__ = "report_baselines"
    report: Mapped[str] = mapped_column(String(48), primary_key=True)
    # Decimal figures as text, the same on both engines.
    working_days: Mapped[str] = mapped_column(String(16))
    calendar_hours: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[datetime]
