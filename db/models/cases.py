"""Read models kept in step with the workflows: case summaries, the inbox, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint, text, true
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class CaseRecord(Base):
    """One case (one workflow): what the API lists and shows without asking Temporal."""

    __tablename__ = "cases"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(32), index=True)
    step: Mapped[str] = mapped_column(String(64))
    street_id: Mapped[str | None] = mapped_column(String(64), index=True)
    community_id: Mapped[str | None] = mapped_column(String(64), index=True)
    estate_id: Mapped[str | None] = mapped_column(String(64), index=True)
    # Companies the case concerns, as " id1 id2 " so a company user's filter is a LIKE on " id ".
    company_ids: Mapped[str] = mapped_column(Text, default=" ")
    # Who holds or held a task (an assignee by subject, else "role:<role>"), as " a b ": a city-wide
    # role whose work is a task reads only these cases (domain.read_access.task_holders).
    task_holders: Mapped[str] = mapped_column(Text, default=" ")
    initiator_subject: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    # The policy's metric: application-to-approval time (申请至审批完成).
    approved_at: Mapped[datetime | None]
    approval_seconds: Mapped[int | None] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, default=0)
    snapshot: Mapped[dict[str, Any]]
    # Where the stored snapshot stands in its workflow's run (``domain.projection``): the history
    # length of the workflow task that wrote it (0: the API's row before the workflow ran), the
    # timeline events projected with it, and the highest event number ever written for the case.
    history_length: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    events_through: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    events_written: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class InboxEntry(Base):
    """An open task, once per role that can act on it: the inbox is one indexed query."""

    __tablename__ = "inbox"
    # Each index ends with the inbox's order (migration inbox_order_1): a page is read, not sorted.
    __table_args__ = (
        Index("ix_inbox_role_order", "role", text("(due_at IS NULL)"), "due_at", "created_at"),
        Index("ix_inbox_role_street_order", "role", "street_id", text("(due_at IS NULL)"), "due_at", "created_at"),
        Index("ix_inbox_role_community_order", "role", "community_id", text("(due_at IS NULL)"), "due_at", "created_at"),
        Index("ix_inbox_role_estate_order", "role", "estate_id", text("(due_at IS NULL)"), "due_at", "created_at"),
        Index("ix_inbox_role_company_order", "role", "company_id", text("(due_at IS NULL)"), "due_at", "created_at"),
    )
    case_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    case_title: Mapped[str] = mapped_column(String(300))
    step: Mapped[str] = mapped_column(String(64))
    step_label: Mapped[str] = mapped_column(String(100))
    street_id: Mapped[str | None] = mapped_column(String(64))
    community_id: Mapped[str | None] = mapped_column(String(64))
    estate_id: Mapped[str | None] = mapped_column(String(64))
    company_id: Mapped[str | None] = mapped_column(String(64))
    assignee: Mapped[str | None] = mapped_column(String(64))
    decisions: Mapped[list[str]]
    created_at: Mapped[datetime]
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    card: Mapped[str] = mapped_column(String(8), default="none")
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    # False while the task's working-day deadline is counted on a year not yet published (provisional).
    calendar_published: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class AuditEntry(Base):
    """Append-only, hash-chained per case: each entry carries the hash of the one before."""

    __tablename__ = "audit_log"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_audit_log_case_seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(128), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    entry_key: Mapped[str] = mapped_column(String(200), unique=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))  # decision / step / timer / rejected / system
    step: Mapped[str | None] = mapped_column(String(64))
    task_id: Mapped[str | None] = mapped_column(String(64))
    actor_subject: Mapped[str | None] = mapped_column(String(64), index=True)
    actor_name: Mapped[str | None] = mapped_column(String(100))
    actor_role: Mapped[str | None] = mapped_column(String(32))
    actor_organisation: Mapped[str | None] = mapped_column(String(200))
    decision: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # The Workflow Update whose handler recorded the entry (hashed only when present).
    update_id: Mapped[str | None] = mapped_column(String(200))


class AuditHead(Base):
    """The head of each audit chain (its last sequence number and hash), outside the table it protects.

    Written in the transaction that appends to the chain, so deleting the newest entries of
    ``audit_log`` leaves a head that points past the stored tail (``domain.audit.verify_chain``).
    """

    __tablename__ = "audit_heads"
    chain_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class StartRequest(Base):
    """A start request's idempotency key, so a retried start never opens a second case."""

    __tablename__ = "start_requests"
    idempotency_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(128))
    actor_subject: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class CaseSequence(Base):
    """The running number ``n`` in a readable case id such as ``fund-emergency-<estate>-<date>-<n>``."""

    __tablename__ = "case_sequences"
    prefix: Mapped[str] = mapped_column(String(128), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)
