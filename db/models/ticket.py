"""Tickets (矛盾纠纷工单): the ledger (台账), callers' contacts, departments and the routing table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class Department(Base):
    """A city department that handles tickets (附件2 of the policy: 部门管理职责)."""

    __tablename__ = "departments"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    duty: Mapped[str] = mapped_column(Text, default="")


class RoutingRule(Base):
    """One row of the duty list: a category, its lead unit and co-handlers (潍坊12345条例 Art. 24)."""

    __tablename__ = "routing_rules"
    category: Mapped[str] = mapped_column(String(48), primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    lead_kind: Mapped[str] = mapped_column(String(16))
    lead_unit_id: Mapped[str | None] = mapped_column(String(64))
    co_handlers: Mapped[list[Any]]
    basis: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(64))


class TicketContact(Base):
    """The caller's contact (personal data, 潍坊12345条例 Art. 7): only here, never in Temporal."""

    __tablename__ = "ticket_contacts"
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    external_ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]


class Ticket(Base):
    """The ledger (台账): one row per ticket, kept in step by its workflow, filtered by the API."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("channel", "external_ref", name="uq_tickets_channel_external_ref"),
        Index("ix_tickets_street_created", "street_id", "created_at"),
        Index("ix_tickets_company_created", "company_id", "created_at"),
    )
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_ref: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(48), index=True)
    category_label: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    estate_id: Mapped[str] = mapped_column(String(64), index=True)
    street_id: Mapped[str] = mapped_column(String(64))
    community_id: Mapped[str] = mapped_column(String(64), index=True)
    # The estate's property company, whose complaint handling the monthly report analyses.
    company_id: Mapped[str | None] = mapped_column(String(64))
    lead_unit_kind: Mapped[str | None] = mapped_column(String(16))
    lead_unit_id: Mapped[str | None] = mapped_column(String(64), index=True)
    lead_unit_name: Mapped[str | None] = mapped_column(String(200))
    # Every unit that has handled the ticket, as " id1 id2 ", so a unit's filter is a LIKE on " id ".
    unit_ids: Mapped[str] = mapped_column(Text, default=" ")
    status: Mapped[str] = mapped_column(String(32), index=True)
    step: Mapped[str] = mapped_column(String(64))
    card: Mapped[str] = mapped_column(String(8), default="none")
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    returned: Mapped[bool] = mapped_column(Boolean, default=False)
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    whistles: Mapped[int] = mapped_column(Integer, default=0)
    unsatisfied: Mapped[int] = mapped_column(Integer, default=0)
    supervised: Mapped[bool] = mapped_column(Boolean, default=False)
    closure: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(index=True)
    accepted_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    replied_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
