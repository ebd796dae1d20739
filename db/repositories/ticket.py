"""The ticket ledger (台账) and callers' contacts: all the SQL the ticket process needs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.errors import integrity_as
from db.models import CaseRecord, Ticket, TicketContact
from db.repositories.cases import holds_task_condition, jurisdiction_filter
from db.session import dialect_name
from domain.access import Actor
from domain.calendar import CITY_TZ
from domain.read_access import Access, access_of
from domain.ticket import TICKET_ACCESS, CallerContact, TicketLedgerRow


def _insert(session: AsyncSession) -> Callable[[Any], Any]:
    return pg_insert if dialect_name(session) == "postgresql" else sqlite_insert


async def save_contact(session: AsyncSession, *, channel: str, external_ref: str, contact: CallerContact, at: datetime) -> None:
    """Keep the caller's contact under the ticket's external reference; a repeat changes nothing."""
    stmt = _insert(session)(TicketContact).values(
        channel=channel, external_ref=external_ref, name=contact.name, phone=contact.phone, created_at=at,
    )
    await session.execute(stmt.on_conflict_do_nothing(index_elements=[TicketContact.channel, TicketContact.external_ref]))


async def contact_of(session: AsyncSession, ticket: Ticket) -> TicketContact | None:
    return await session.get(TicketContact, (ticket.channel, ticket.external_ref))


async def save_ledger_row(session: AsyncSession, row: TicketLedgerRow) -> bool:
    """Upsert the ticket's ledger line; an older version never overwrites a newer one."""
    current = await session.get(Ticket, row.id)
    if current is not None and current.version > row.version:
        return False
    values = row.model_dump(exclude={"id", "unit_ids"})
    values["unit_ids"] = " " + " ".join(row.unit_ids) + " "
    if current is None:
        session.add(Ticket(id=row.id, **values))
    else:
        for key, value in values.items():
            setattr(current, key, value)
    with integrity_as(exists=f"ticket {row.id} or its reference {row.channel}/{row.external_ref} was stored meanwhile"):
        await session.flush()
    return True


async def get_ticket(session: AsyncSession, ticket_id: str) -> Ticket | None:
    return await session.get(Ticket, ticket_id)


async def find_by_ref(session: AsyncSession, channel: str, external_ref: str) -> Ticket | None:
    return await session.scalar(select(Ticket).where(Ticket.channel == channel, Ticket.external_ref == external_ref))


@dataclass(frozen=True)
class LedgerFilter:
    """The ledger's filters; dates are the city's calendar dates of intake, both ends included."""

    street_id: str | None = None
    community_id: str | None = None
    estate_id: str | None = None
    unit_id: str | None = None
    category: str | None = None
    status: str | None = None
    overdue: bool | None = None
    card: str | None = None
    created_from: date | None = None
    created_to: date | None = None


def visible_to(stmt: Select, actor: Actor) -> Select:  # type: ignore[type-arg]
    """Tickets the actor may read (domain.ticket.TICKET_ACCESS): inside their jurisdiction for a role that works
    tickets (a company or department: the ones it handled); the joint meeting those escalated to it."""
    match access_of(TICKET_ACCESS, actor):
        case Access.JURISDICTION:
            return jurisdiction_filter(stmt, actor, Ticket, orgs=Ticket.unit_ids)
        case Access.TASKS:
            held = select(CaseRecord.id).where(holds_task_condition(actor))
            return jurisdiction_filter(stmt, actor, Ticket, orgs=Ticket.unit_ids).where(Ticket.id.in_(held))
    return stmt.where(false())  # owners and other estate-level users have no ledger


def _filtered(actor: Actor, flt: LedgerFilter) -> Select:  # type: ignore[type-arg]
    stmt = visible_to(select(Ticket), actor)
    for column, value in (
        (Ticket.street_id, flt.street_id), (Ticket.community_id, flt.community_id), (Ticket.estate_id, flt.estate_id),
        (Ticket.category, flt.category), (Ticket.status, flt.status), (Ticket.overdue, flt.overdue), (Ticket.card, flt.card),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if flt.unit_id is not None:
        stmt = stmt.where(Ticket.unit_ids.contains(f" {flt.unit_id} "))
    if flt.created_from is not None:
        stmt = stmt.where(Ticket.created_at >= datetime.combine(flt.created_from, time.min, tzinfo=CITY_TZ))
    if flt.created_to is not None:
        stmt = stmt.where(Ticket.created_at < datetime.combine(flt.created_to + timedelta(days=1), time.min, tzinfo=CITY_TZ))
    return stmt


async def ledger(session: AsyncSession, actor: Actor, flt: LedgerFilter, *, limit: int, offset: int) -> tuple[int, list[Ticket]]:
    """Ledger lines the actor may see matching the filter, newest first, with the total count."""
    stmt = _filtered(actor, flt)
    total = int(await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = await session.scalars(stmt.order_by(Ticket.created_at.desc(), Ticket.id).limit(limit).offset(offset))
    return total, list(rows.all())


async def tickets_between(session: AsyncSession, start: datetime, end: datetime) -> list[Ticket]:
    """Tickets created or closed in ``[start, end)``: what a month's report counts."""
    stmt = select(Ticket).where(
        or_(
            (Ticket.created_at >= start) & (Ticket.created_at < end),
            (Ticket.closed_at >= start) & (Ticket.closed_at < end),
        )
    )
    return list((await session.scalars(stmt.order_by(Ticket.id))).all())
