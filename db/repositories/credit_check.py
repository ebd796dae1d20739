"""Monthly checks (月检查): who checks whom this month, each check's stored result, the quarter's averages."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Company, CreditCheckResult, Estate, Street
from domain.credit_check import CENT, CheckPair


async def check_pairs(session: AsyncSession) -> list[CheckPair]:
    """Every street with every property company serving an estate in it, in a stable order."""
    rows = await session.execute(
        select(Street.id, Street.name, Company.id, Company.name, Estate.name)
        .join(Estate, Estate.street_id == Street.id)
        .join(Company, Company.id == Estate.property_company_id)
        .where(Company.kind == "property")
        .order_by(Street.id, Company.id, Estate.name)
    )
    pairs: dict[tuple[str, str], CheckPair] = {}
    for street_id, street_name, company_id, company_name, estate_name in rows.all():
        pair = pairs.setdefault((street_id, company_id), CheckPair(
            street_id=street_id, street_name=street_name, company_id=company_id, company_name=company_name, estates=[]))
        pair.estates.append(estate_name)
    return list(pairs.values())


async def save_result(session: AsyncSession, *, case_id: str, month: str, street_id: str, company_id: str, score: Decimal,
                      items: list[dict[str, Any]], at: datetime) -> None:
    """Store a check's result once per case (a retried activity keeps the first)."""
    existing = await session.scalar(select(CreditCheckResult).where(CreditCheckResult.case_id == case_id))
    if existing is None:
        session.add(CreditCheckResult(case_id=case_id, month=month, street_id=street_id, company_id=company_id, score=score,
                                      items=items, checked_at=at))
        await session.flush()


async def check_averages(session: AsyncSession, months: list[str]) -> dict[str, Decimal]:
    """Each company's average check score over ``months`` (every street's check counts once)."""
    rows = await session.execute(
        select(CreditCheckResult.company_id, func.avg(CreditCheckResult.score))
        .where(CreditCheckResult.month.in_(months)).group_by(CreditCheckResult.company_id)
    )
    return {company_id: Decimal(str(avg)).quantize(CENT) for company_id, avg in rows.all() if avg is not None}


async def results_of(session: AsyncSession, month: str) -> list[CreditCheckResult]:
    rows = await session.scalars(select(CreditCheckResult).where(CreditCheckResult.month == month)
                                 .order_by(CreditCheckResult.street_id, CreditCheckResult.company_id))
    return list(rows.all())
