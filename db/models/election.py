"""业委会选举换届: the owner registry, committee registry and terms, elections, the roll and ballots."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class OwnerRecord(Base):
    """The person behind a unit: units sharing an ``owner_key`` belong to one owner (山东 Art. 25).

    A unit without a record is its own owner. Arrears and natural-person status feed the
    candidates' eligibility check (潍坊 Arts. 34, 36). An institutional owner (单位业主) stands
    through the natural person it authorises (潍坊 Art. 34 para. 3): their name and the
    authorisation's reference are recorded with the unit.
    """

    __tablename__ = "owner_records"
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), primary_key=True)
    owner_key: Mapped[str] = mapped_column(String(64), index=True)
    natural_person: Mapped[bool] = mapped_column(Boolean, default=True)
    fee_arrears_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    representative_name: Mapped[str | None] = mapped_column(String(100))
    authorisation_ref: Mapped[str | None] = mapped_column(String(200))
    # Personal data (个人信息保护法 Arts. 6, 28): the ID number is never stored, only its masked form
    # (first 6 and last 4) and the owner key derived from it with the city's key; the phone masked.
    id_number_masked: Mapped[str | None] = mapped_column(String(32))
    phone_masked: Mapped[str | None] = mapped_column(String(32))
    # 欠缴维修资金续交 as the fund system reported it; the fee arrears' date and source.
    fund_arrears_fen: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    arrears_as_of: Mapped[date | None]
    arrears_source: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime]


class CommitteeRegistry(Base):
    """The body acting for an estate's owners now: an owners' committee, or an acting 物业管理委员会."""

    __tablename__ = "committee_registry"
    estate_id: Mapped[str] = mapped_column(ForeignKey("estates.id"), primary_key=True)
    body: Mapped[str] = mapped_column(String(32))  # owners_committee / management_committee / none
    term_start: Mapped[datetime | None]
    term_end: Mapped[datetime | None]
    seats: Mapped[int | None] = mapped_column(Integer)
    members: Mapped[list[Any]]
    elected_case_id: Mapped[str | None] = mapped_column(String(128))
    certificate_no: Mapped[str | None] = mapped_column(String(100))
    # 潍坊 Art. 41 (3): failed attempts since the last valid election; the second one makes the
    # residents' committee (``acting_chair``, a community) chair an acting body.
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    acting_since: Mapped[datetime | None]
    acting_chair: Mapped[str | None] = mapped_column(String(64))
    # The re-election the term timer started for the current term: set once, so a retried timer
    # never starts a second case.
    reelection_case_id: Mapped[str | None] = mapped_column(String(128))
    # When the term's timer starts the re-election, and the date its vote must close by (潍坊 Art. 40),
    # both from the rules the timer was armed with.
    reelection_starts_at: Mapped[datetime | None]
    reelection_vote_by: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class CommitteeTerm(Base):
    """One elected term, kept for history; ``case_id`` is unique so a retried activity records it once."""

    __tablename__ = "committee_terms"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    estate_id: Mapped[str] = mapped_column(ForeignKey("estates.id"), index=True)
    case_id: Mapped[str] = mapped_column(String(128), unique=True)
    term_start: Mapped[datetime]
    term_end: Mapped[datetime]
    members: Mapped[list[Any]]
    recorded_at: Mapped[datetime]


class Election(Base):
    """One voting attempt of a case, with its ballot (candidates), frozen totals and stored result."""

    __tablename__ = "elections"
    __table_args__ = (UniqueConstraint("case_id", "attempt", name="uq_elections_case_attempt"),)
    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(128), index=True)
    estate_id: Mapped[str] = mapped_column(ForeignKey("estates.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    seats: Mapped[int] = mapped_column(Integer)
    candidates: Mapped[list[Any]]
    status: Mapped[str] = mapped_column(String(16))  # open / closed / tallied
    opened_at: Mapped[datetime]
    # The end of the voting period (民法典 Art. 203: 24:00 of its last day); ballots at or after it are refused.
    closes_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    voters: Mapped[int] = mapped_column(Integer)
    total_area_hundredths: Mapped[int] = mapped_column(BigInteger)
    total_headcount: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict[str, Any] | None]
    tallied_at: Mapped[datetime | None]


class ElectionVoter(Base):
    """The roll frozen when voting opened: each unit, its owner and its area in hundredths of m²."""

    __tablename__ = "election_voters"
    __table_args__ = (Index("ix_election_voters_owner", "election_id", "owner_key"),)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id"), primary_key=True)
    household_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner_key: Mapped[str] = mapped_column(String(64))
    area_hundredths: Mapped[int] = mapped_column(BigInteger)


class Ballot(Base):
    """One vote per exclusive unit per attempt: the unique constraint is the last word on it."""

    __tablename__ = "ballots"
    __table_args__ = (
        UniqueConstraint("election_id", "household_id", name="uq_ballots_election_household"),
        Index("ix_ballots_proxy", "election_id", "proxy_owner_key"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    election_id: Mapped[str] = mapped_column(ForeignKey("elections.id"))
    household_id: Mapped[str] = mapped_column(String(64))
    owner_key: Mapped[str] = mapped_column(String(64))
    choices: Mapped[list[str]]
    channel: Mapped[str] = mapped_column(String(16))  # paper / electronic
    proxy_owner_key: Mapped[str | None] = mapped_column(String(64))
    entered_by: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[str | None] = mapped_column(String(200), index=True)
    cast_at: Mapped[datetime]
    receipt: Mapped[str] = mapped_column(String(64))
