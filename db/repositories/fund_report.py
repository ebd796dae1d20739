"""The fund's approval-time report: the approved cases, and the baseline the bureau entered."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CaseRecord, ReportBaseline
from domain.fund_report import ApprovalSample, Baseline, default_baseline

FUND_APPROVAL = "fund_approval_time"


async def approval_samples(session: AsyncSession, kind: str) -> list[ApprovalSample]:
    """Every case of ``kind`` the bureau has approved: its street, report and approval moments."""
    rows = await session.execute(
        select(CaseRecord.id, CaseRecord.street_id, CaseRecord.created_at, CaseRecord.approved_at)
        .where(CaseRecord.kind == kind, CaseRecord.approved_at.is_not(None)).order_by(CaseRecord.approved_at)
    )
    return [ApprovalSample(case_id=i, street_id=street, reported_at=created, approved_at=approved)
            for i, street, created, approved in rows.all() if approved is not None]


async def baseline(session: AsyncSession) -> Baseline:
    row = await session.get(ReportBaseline, FUND_APPROVAL)
    if row is None:
        return default_baseline()
    return Baseline(working_days=Decimal(row.working_days), calendar_hours=Decimal(row.calendar_hours),
                    source=f"{row.source}（{row.entered_by} 于 {row.entered_at:%Y-%m-%d} 录入）", provisional=False)


async def set_baseline(session: AsyncSession, *, working_days: Decimal, calendar_hours: Decimal, source: str, by: str, at: datetime) -> None:
    row = await session.get(ReportBaseline, FUND_APPROVAL)
    if row is None:
        row = ReportBaseline(report=FUND_APPROVAL, working_days="0", calendar_hours="0", source="", entered_by=by, entered_at=at)
        session.add(row)
    row.working_days, row.calendar_hours, row.source, row.entered_by, row.entered_at = (
        str(working_days), str(calendar_hours), source, by, at)
    await session.flush()
