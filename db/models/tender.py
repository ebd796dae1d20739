"""Tender records: the bid-evaluation expert pool (评标专家库) with its conflicts, and the bids."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class Expert(Base):
    """One expert in the pool; the employer decides a conflict of interest with a bidder."""

    __tablename__ = "experts"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    employer: Mapped[str] = mapped_column(String(200))
    # Set when the employer is a company on record (it may bid): same employer = conflict.
    employer_company_id: Mapped[str | None] = mapped_column(ForeignKey("companies.id"))
    specialty: Mapped[str] = mapped_column(String(100))
    years_of_practice: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ExpertRelationship(Base):
    """A recorded relationship between an expert and a company (former employer, relative, shareholding)."""

    __tablename__ = "expert_relationships"
    __table_args__ = (UniqueConstraint("expert_id", "company_id", name="uq_expert_relationships_expert_company"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    expert_id: Mapped[str] = mapped_column(ForeignKey("experts.id"), index=True)
    company_id: Mapped[str] = mapped_column(ForeignKey("companies.id"), index=True)
    relation: Mapped[str] = mapped_column(String(200))


class TenderBid(Base):
    """A company's registration in one round of a tender: valid, or refused with the reason.

    Unique per case, round and company, so a retried activity registers once.
    """

    __tablename__ = "tender_bids"
    __table_args__ = (UniqueConstraint("case_id", "round", "company_id", name="uq_tender_bids_case_round_company"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(128), index=True)
    round: Mapped[int] = mapped_column(Integer)
    company_id: Mapped[str] = mapped_column(ForeignKey("companies.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # valid / refused
    reason: Mapped[str | None] = mapped_column(Text)
    price_fen_per_m2: Mapped[int | None] = mapped_column(Integer)
    plan: Mapped[str | None] = mapped_column(Text)
    registered_at: Mapped[datetime]
    rank: Mapped[int | None] = mapped_column(Integer)
    average_score: Mapped[str | None] = mapped_column(String(16))
    awarded: Mapped[bool] = mapped_column(Boolean, default=False)
