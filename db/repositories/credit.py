"""Credit records and assessment lines: every source writes records through ``record_credit``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.errors import NotFound, integrity_as
from db.models import AuditEntry, Company, CreditAssessmentLine, CreditRecord, Estate, Ticket
from domain.credit import CreditEntry, CreditRecordView, QuarterFigures, record_type, valid_until
from domain.credit_facts import AssessmentLine, CreditStanding, current_standing
from domain.credit_report import PublishedGrade
from domain.credit_timeline import AuditRef, credit_file_chain
from domain.credit_timeline import PublishedRow as PublishedTimelineRow
from domain.rules import CREDIT, CreditRules


async def record_credit(session: AsyncSession, entry: CreditEntry, rules: CreditRules = CREDIT) -> CreditRecord:
    """Write a credit record unless one with the same key exists (a retried activity writes once).

    The one path of every source (tickets, handover, tender, the bureau): the type's rules decide
    the kind, the recording unit, whether it is serious, and how long it stays in force.
    """
    existing = await session.scalar(select(CreditRecord).where(CreditRecord.record_key == entry.key))
    if existing is not None:
        return existing
    kind = record_type(entry.type, rules)
    points = entry.points if entry.points is not None else kind.points
    record = CreditRecord(
        record_key=entry.key, company_id=entry.company_id, kind=kind.kind, source=entry.type, type=entry.type, points=points,
        case_id=entry.case_id, reason=entry.reason, evidence=entry.evidence, recording_role=kind.recording_role,
        recorded_by=entry.recorded_by, serious=kind.serious, joint=kind.joint, at=entry.at,
        expires_at=valid_until(entry.type, entry.conduct_ended or entry.at, rules),
    )
    session.add(record)
    with integrity_as(exists=f"credit record {entry.key} was written meanwhile", missing=f"no company {entry.company_id}"):
        await session.flush()
    return record


def view(record: CreditRecord, rules: CreditRules = CREDIT) -> CreditRecordView:
    """A stored record as the rules see it (rows written before record types: their source names the type)."""
    code = record.type or record.source
    known = rules.record_types.get(code)
    return CreditRecordView(
        id=record.id, company_id=record.company_id, type=code, type_label=known.label if known else code, kind=record.kind,
        points=record.points, serious=record.serious, joint=record.joint, case_id=record.case_id, evidence=record.evidence,
        reason=record.reason, recording_role=record.recording_role or (known.recording_role if known else "housing_bureau"),
        recorded_by=record.recorded_by, recorded_at=record.at, valid_until=record.expires_at, revoked_at=record.revoked_at,
        revoked_reason=record.revoked_reason,
    )


async def records_of(session: AsyncSession, company_id: str) -> list[CreditRecord]:
    rows = await session.scalars(select(CreditRecord).where(CreditRecord.company_id == company_id).order_by(CreditRecord.at, CreditRecord.id))
    return list(rows.all())


async def record_views(session: AsyncSession, company_ids: list[str] | None = None) -> dict[str, list[CreditRecordView]]:
    """Every record per company (of ``company_ids``, or all), oldest first."""
    query = select(CreditRecord).order_by(CreditRecord.at, CreditRecord.id)
    if company_ids is not None:
        query = query.where(CreditRecord.company_id.in_(company_ids))
    out: dict[str, list[CreditRecordView]] = {}
    for record in (await session.scalars(query)).all():
        out.setdefault(record.company_id, []).append(view(record))
    return out


async def records_of_case(session: AsyncSession, case_id: str) -> list[CreditRecord]:
    rows = await session.scalars(select(CreditRecord).where(CreditRecord.case_id == case_id).order_by(CreditRecord.id))
    return list(rows.all())


async def get_record(session: AsyncSession, record_id: int) -> CreditRecord:
    record = await session.get(CreditRecord, record_id)
    if record is None:
        raise NotFound(f"no credit record {record_id}")
    return record


async def revoke_record(session: AsyncSession, record_id: int, *, at: datetime, reason: str) -> CreditRecord:
    """Revoke a record after an upheld objection (Art. 39); a second revocation keeps the first."""
    record = await get_record(session, record_id)
    if record.revoked_at is None:
        record.revoked_at, record.revoked_reason = at, reason
        await session.flush()
    return record


async def serving_company_ids(session: AsyncSession) -> set[str]:
    """The companies that serve at least one estate now."""
    rows = await session.scalars(select(Estate.property_company_id).where(Estate.property_company_id.is_not(None)).distinct())
    return {r for r in rows.all() if r is not None}


async def property_companies(session: AsyncSession) -> list[Company]:
    rows = await session.scalars(select(Company).where(Company.kind == "property").order_by(Company.id))
    return list(rows.all())


async def save_line(session: AsyncSession, *, quarter: str, case_id: str, company_id: str, grade: str, line: dict[str, Any],
                    at: datetime) -> None:
    """Store a draft line; a retried activity (same case) rewrites the draft, a published line stays."""
    row = await session.scalar(select(CreditAssessmentLine).where(
        CreditAssessmentLine.quarter == quarter, CreditAssessmentLine.company_id == company_id))
    if row is None:
        session.add(CreditAssessmentLine(quarter=quarter, case_id=case_id, company_id=company_id, grade=grade, line=line, drafted_at=at))
    elif row.published_at is None:
        row.case_id, row.grade, row.line, row.drafted_at = case_id, grade, line, at
    await session.flush()


async def lines_of(session: AsyncSession, quarter: str, *, published_only: bool = False) -> list[CreditAssessmentLine]:
    query = select(CreditAssessmentLine).where(CreditAssessmentLine.quarter == quarter)
    if published_only:
        query = query.where(CreditAssessmentLine.published_at.is_not(None))
    return list((await session.scalars(query.order_by(CreditAssessmentLine.company_id))).all())


async def line_of(session: AsyncSession, quarter: str, company_id: str) -> CreditAssessmentLine | None:
    return await session.scalar(select(CreditAssessmentLine).where(
        CreditAssessmentLine.quarter == quarter, CreditAssessmentLine.company_id == company_id))


async def last_published_line(session: AsyncSession, company_id: str) -> CreditAssessmentLine | None:
    """The company's line of the latest published quarter ("2026Q3" sorts by time)."""
    return await session.scalar(select(CreditAssessmentLine).where(
        CreditAssessmentLine.company_id == company_id, CreditAssessmentLine.published_at.is_not(None),
    ).order_by(CreditAssessmentLine.quarter.desc()).limit(1))


async def publish_lines(session: AsyncSession, quarter: str, at: datetime) -> int:
    """Mark every line of the quarter published (once; a retry keeps the first moment)."""
    rows = await lines_of(session, quarter)
    for row in rows:
        if row.published_at is None:
            row.published_at = at
    await session.flush()
    return len(rows)


async def published_quarters(session: AsyncSession) -> list[str]:
    rows = await session.scalars(select(CreditAssessmentLine.quarter).where(CreditAssessmentLine.published_at.is_not(None)).distinct())
    return sorted(rows.all(), reverse=True)


async def standing(session: AsyncSession, company: Company, at: datetime, rules: CreditRules = CREDIT) -> CreditStanding:
    """The company's current grade and blacklist, computed from its records and last published line."""
    records = (await record_views(session, [company.id])).get(company.id, [])
    last = await last_published_line(session, company.id)
    return current_standing(company.id, records, AssessmentLine.model_validate(last.line) if last else None, company.credit_grade,
                            company.blacklisted, at, rules)


async def ticket_figures(session: AsyncSession, start: datetime, end: datetime) -> dict[str, QuarterFigures]:
    """Each company's tickets received in [start, end): how many, overdue, closed, closed satisfied."""
    rows = await session.execute(
        select(Ticket.company_id, Ticket.overdue, Ticket.closed_at, Ticket.closure)
        .where(Ticket.company_id.is_not(None), Ticket.created_at >= start, Ticket.created_at < end)
    )
    out: dict[str, QuarterFigures] = {}
    for company_id, overdue, closed_at, closure in rows.all():
        if company_id is None:
            continue
        f = out.setdefault(company_id, QuarterFigures())
        f.tickets += 1
        f.overdue += 1 if overdue else 0
        if closed_at is not None and closed_at < end:
            f.closed += 1
            f.satisfied += 1 if closure == "satisfied" else 0
    return out


async def lines_of_company(session: AsyncSession, company_id: str) -> list[CreditAssessmentLine]:
    """The company's line of every quarter, newest first (drafts included: its own file shows them)."""
    rows = await session.scalars(select(CreditAssessmentLine).where(CreditAssessmentLine.company_id == company_id)
                                 .order_by(CreditAssessmentLine.quarter.desc()))
    return list(rows.all())


async def published_grades(session: AsyncSession) -> list[PublishedGrade]:
    """Every published line of every quarter, as the overview report counts them."""
    rows = await session.scalars(select(CreditAssessmentLine).where(CreditAssessmentLine.published_at.is_not(None))
                                 .order_by(CreditAssessmentLine.quarter, CreditAssessmentLine.company_id))
    out: list[PublishedGrade] = []
    for row in rows.all():
        line = AssessmentLine.model_validate(row.line)
        out.append(PublishedGrade(quarter=row.quarter, company_id=row.company_id, company_name=line.company_name, grade=line.grade,
                                  blacklisted=line.blacklist is not None))
    return out


async def timeline_sources(session: AsyncSession, company_id: str) -> tuple[list[PublishedTimelineRow], list[AuditRef]]:
    """The company's published lines, and the audit entries that concern it: its assessment cases' adjustments and
    corrections, and its own credit chain (the bureau's acts)."""
    rows = await session.scalars(select(CreditAssessmentLine).where(
        CreditAssessmentLine.company_id == company_id, CreditAssessmentLine.published_at.is_not(None)))
    published = [PublishedTimelineRow(quarter=r.quarter, case_id=r.case_id, published_at=r.published_at,
                                      line=AssessmentLine.model_validate(r.line)) for r in rows.all() if r.published_at is not None]
    chains = [credit_file_chain(company_id), *{r.case_id for r in published}]
    entries = await session.scalars(select(AuditEntry).where(AuditEntry.case_id.in_(chains)).order_by(AuditEntry.case_id, AuditEntry.seq))
    refs = [AuditRef(case_id=e.case_id, seq=e.seq, at=e.at, decision=e.decision, comment=e.comment, actor_subject=e.actor_subject,
                     data=e.data or {})
            for e in entries.all() if e.case_id == chains[0] or (e.data or {}).get("company_id") == company_id]
    return published, refs
