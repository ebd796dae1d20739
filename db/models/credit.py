"""Credit of property companies (信用管理): the records, and each quarter's assessment lines."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class CreditRecord(Base):
    """One good or bad record for a company (山东社会信用条例; DOMAIN.md credit).

    ``record_key`` is unique, one per cause: the activity that writes a record may run twice, the
    record once. A record is never deleted: it expires (``expires_at``) or is revoked after an
    upheld objection (``revoked_at``), and stays in the audit trail.
    """

    __tablename__ = "credit_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_key: Mapped[str] = mapped_column(String(200), unique=True)
    company_id: Mapped[str] = mapped_column(ForeignKey("companies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # good / bad
    source: Mapped[str] = mapped_column(String(48), index=True)  # e.g. ticket_overdue, handover_refused
    # The record type of the rules (domain.rules.CreditRules.record_types); older rows: their source.
    type: Mapped[str | None] = mapped_column(String(48))
    points: Mapped[int] = mapped_column(Integer)  # signed: bad records are negative
    case_id: Mapped[str | None] = mapped_column(String(128), index=True)
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    # The recording unit (a role code) and who entered it, when a person did.
    recording_role: Mapped[str | None] = mapped_column(String(32))
    recorded_by: Mapped[str | None] = mapped_column(String(64))
    serious: Mapped[bool] = mapped_column(Boolean, default=False)
    joint: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(index=True)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(Text)


class CreditAssessmentLine(Base):
    """One company's line of one quarter's assessment: the draft, then as reviewed and published."""

    __tablename__ = "credit_assessment_lines"
    __table_args__ = (UniqueConstraint("quarter", "company_id", name="uq_credit_assessment_lines_quarter_company"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    quarter: Mapped[str] = mapped_column(String(8), index=True)
    company_id: Mapped[str] = mapped_column(ForeignKey("companies.id"), index=True)
    case_id: Mapped[str] = mapped_column(String(128))
    grade: Mapped[str] = mapped_column(String(4))
    # The whole line (domain.credit_facts.AssessmentLine) as JSON.
    line: Mapped[dict[str, Any]]
    drafted_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    republished_at: Mapped[datetime | None]



class CreditCheckResult(Base):
    """One street's monthly check of one company (月检查): the sheet's score, kept for the quarter's average."""

    __tablename__ = "credit_check_results"
    __table_args__ = (UniqueConstraint("case_id", name="uq_credit_check_results_case_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(200))
    month: Mapped[str] = mapped_column(String(7), index=True)  # "2027-01"
    street_id: Mapped[str] = mapped_column(ForeignKey("streets.id"), index=True)
    company_id: Mapped[str] = mapped_column(ForeignKey("companies.id"), index=True)
    score: Mapped[Decimal] = mapped_column(Numeric(5, 2))  # 0–100
    # Each item's score and finding (domain.credit_check.ItemFinding) as JSON.
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    checked_at: Mapped[datetime]
