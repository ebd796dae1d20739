"""The maintenance fund: one account per household in integer fen, with an append-only ledger."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class FundAccount(Base):
    """分户账: a household's fund balance; the database refuses a negative balance too."""

    __tablename__ = "fund_accounts"
    __table_args__ = (CheckConstraint("balance_fen >= 0", name="balance_not_negative"),)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), primary_key=True)
    balance_fen: Mapped[int] = mapped_column(BigInteger)
    initial_deposit_fen: Mapped[int] = mapped_column(BigInteger)
    # 续交 (潍坊 Art. 66): a payment that leaves the balance below the threshold share of the first deposit
    # records the period the owner then has (the case's rules); the committee's top-up notice starts it,
    # and the due instant is counted from the day the notice was received.
    top_up_period_days: Mapped[int | None]
    top_up_noticed_on: Mapped[date | None]
    top_up_due_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class LedgerEntry(Base):
    """One movement on one account; never updated or deleted."""

    __tablename__ = "fund_ledger"
    __table_args__ = (UniqueConstraint("payment_key", "household_id", name="uq_fund_ledger_payment_household"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))  # deposit / debit / refund
    amount_fen: Mapped[int] = mapped_column(BigInteger)  # signed: debits are negative
    balance_after_fen: Mapped[int] = mapped_column(BigInteger)
    case_id: Mapped[str | None] = mapped_column(String(128), index=True)
    # A payment's key, or a deposit's (who recorded it and their Idempotency-Key, hashed): a retry finds the line.
    payment_key: Mapped[str | None] = mapped_column(String(160))
    # A deposit's reason, or the payment's description.
    memo: Mapped[str | None] = mapped_column(String(500))
    # Who recorded a deposit (the fund authority's user); None for the system's payments and opening balances.
    recorded_by: Mapped[str | None] = mapped_column(String(64))


class FundPayment(Base):
    """A payment out of the fund; its key makes a retried activity a no-op."""

    __tablename__ = "fund_payments"
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(128), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # first / final
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    payee: Mapped[str | None] = mapped_column(String(200))
    households: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]


class FundNoticeShare(Base):
    """公示分摊: a household's share as a public notice published it (淄博 Art. 67), frozen at its start.

    The notice shows these, owners object to these, and the final payment debits these: a registry
    change during the notice changes none of them. ``notice_no`` counts the case's notices (an upheld
    objection restarts the notice with the shares of its day).
    """

    __tablename__ = "fund_notice_shares"
    case_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    notice_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), primary_key=True)
    share_fen: Mapped[int] = mapped_column(BigInteger)
