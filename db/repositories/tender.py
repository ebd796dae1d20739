"""Tender and handover records: the expert pool, bids, and the estate's company after a handover."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.errors import integrity_as
from db.models import CaseRecord, Company, Estate, Expert, ExpertRelationship, TenderBid
from domain.tender import PROCESS_KIND


async def company(session: AsyncSession, company_id: str) -> Company | None:
    return await session.get(Company, company_id)


async def active_tender_case(session: AsyncSession, estate_id: str) -> str | None:
    """A tender case of the estate that is still running, if any (its handover is a case of its own)."""
    stmt = select(CaseRecord.id).where(
        CaseRecord.kind == PROCESS_KIND, CaseRecord.estate_id == estate_id, CaseRecord.status.in_(["active", "blocked"]),
    )
    return await session.scalar(stmt.limit(1))


async def expert_pool(session: AsyncSession) -> list[tuple[Expert, list[str]]]:
    """Active experts with the companies they have a recorded relationship with."""
    experts = list((await session.scalars(select(Expert).where(Expert.active.is_(True)).order_by(Expert.id))).all())
    rows = await session.execute(select(ExpertRelationship.expert_id, ExpertRelationship.company_id).order_by(ExpertRelationship.id))
    related: dict[str, list[str]] = {}
    for expert_id, company_id in rows.all():
        related.setdefault(expert_id, []).append(company_id)
    return [(e, related.get(e.id, [])) for e in experts]


async def add_bid(
    session: AsyncSession, *, case_id: str, round: int, company_id: str, status: str, reason: str | None,
    price_fen_per_m2: int | None, plan: str | None, at: datetime,
) -> TenderBid:
    """Register a bid unless this company is already registered in this round (a retry writes once)."""
    existing = await session.scalar(
        select(TenderBid).where(TenderBid.case_id == case_id, TenderBid.round == round, TenderBid.company_id == company_id)
    )
    if existing is not None:
        return existing
    bid = TenderBid(
        case_id=case_id, round=round, company_id=company_id, status=status, reason=reason,
        price_fen_per_m2=price_fen_per_m2, plan=plan, registered_at=at, awarded=False,
    )
    session.add(bid)
    # Two attempts of the same registration at once: the later one fails and its retry finds the bid.
    with integrity_as(exists=f"{company_id} registered a bid in round {round} of {case_id} meanwhile", missing=f"no company {company_id}"):
        await session.flush()
    return bid


async def bids_of(session: AsyncSession, case_id: str) -> list[TenderBid]:
    rows = await session.scalars(select(TenderBid).where(TenderBid.case_id == case_id).order_by(TenderBid.round, TenderBid.id))
    return list(rows.all())


async def record_result(session: AsyncSession, *, case_id: str, round: int, ranks: dict[str, tuple[int, str]], winner: str | None) -> None:
    """Write each bid's rank and average score, and mark the winner."""
    for company_id, (rank, average) in ranks.items():
        await session.execute(
            update(TenderBid)
            .where(TenderBid.case_id == case_id, TenderBid.round == round, TenderBid.company_id == company_id)
            .values(rank=rank, average_score=average, awarded=company_id == winner)
        )


async def set_estate_company(session: AsyncSession, estate_id: str, company_id: str) -> None:
    """The company that serves the estate from now on."""
    await session.execute(update(Estate).where(Estate.id == estate_id).values(property_company_id=company_id))
