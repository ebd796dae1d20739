"""Credit records of property companies (信用记录): what the credit engine will grade."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class CreditRecord(Base):
    """One good or bad record for a company, from a case (山东社会信用条例; DOMAIN.md credit).

    ``record_key`` is unique: the activity that writes a record may run twice, the record once.
    """

    __tablename__ = "credit_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_key: Mapped[str] = mapped_column(String(200), unique=True)
    company_id: Mapped[str] = mapped_column(ForeignKey("companies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # good / bad
    source: Mapped[str] = mapped_column(String(48), index=True)  # e.g. ticket_overdue, handover_refused
    points: Mapped[int] = mapped_column(Integer)  # signed: bad records are negative
    case_id: Mapped[str | None] = mapped_column(String(128), index=True)
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(index=True)
    expires_at: Mapped[datetime | None]
