"""Credit records: written once per key, read per company."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.errors import integrity_as
from db.models import CreditRecord
from domain.rules import CREDIT


async def add_record(
    session: AsyncSession, *, record_key: str, company_id: str, kind: str, source: str, points: int,
    case_id: str | None, reason: str, at: datetime, validity: timedelta | None = CREDIT.record_validity,
) -> CreditRecord:
    """Write a credit record unless one with the same key exists (a retried activity writes once)."""
    existing = await session.scalar(select(CreditRecord).where(CreditRecord.record_key == record_key))
    if existing is not None:
        return existing
    record = CreditRecord(
        record_key=record_key, company_id=company_id, kind=kind, source=source, points=points, case_id=case_id,
        reason=reason, at=at, expires_at=at + validity if validity else None,
    )
    session.add(record)
    with integrity_as(exists=f"credit record {record_key} was written meanwhile", missing=f"no company {company_id}"):
        await session.flush()
    return record


async def records_of(session: AsyncSession, company_id: str) -> list[CreditRecord]:
    rows = await session.scalars(select(CreditRecord).where(CreditRecord.company_id == company_id).order_by(CreditRecord.at))
    return list(rows.all())


async def records_of_case(session: AsyncSession, case_id: str) -> list[CreditRecord]:
    rows = await session.scalars(select(CreditRecord).where(CreditRecord.case_id == case_id).order_by(CreditRecord.id))
    return list(rows.all())
