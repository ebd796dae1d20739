"""What the credit routes show: a published quarter (public: no personal data) and a company's own file."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Company
from db.repositories import credit as credit_repo
from domain.credit import STATUS_LABELS, BlacklistEntry, CreditRecordView, Quarter, ScoreBreakdown, grade_label
from domain.credit_facts import AssessmentLine, CreditStanding


class PublicBadRecord(BaseModel):
    """A bad record in force as published: its type, points and dates; its text stays in the company's file."""

    type: str
    type_label: str
    points: int
    recorded_at: datetime
    valid_until: datetime | None


class PublishedLine(BaseModel):
    company_id: str
    company_name: str
    grade: str
    # The grade as published: "C（缺失）" for a company the credit system held nothing on.
    grade_label: str
    missing: bool
    score: Decimal
    blacklisted: bool
    bad_records: list[PublicBadRecord]
    # Why the line was republished (an upheld objection), and when.
    note: str | None = None
    republished_at: datetime | None = None


class PublishedQuarterRead(BaseModel):
    quarter: str
    label: str
    published_at: datetime
    grades: dict[str, int]
    lines: list[PublishedLine]


async def published_quarter(session: AsyncSession, quarter: str) -> PublishedQuarterRead | None:
    """The quarter's published lines; None while it is unpublished."""
    rows = await credit_repo.lines_of(session, quarter, published_only=True)
    if not rows:
        return None
    lines: list[PublishedLine] = []
    for row in rows:
        line = AssessmentLine.model_validate(row.line)
        lines.append(PublishedLine(
            company_id=line.company_id, company_name=line.company_name, grade=line.grade.value,
            grade_label=grade_label(line.grade, missing=line.missing), missing=line.missing, score=line.score.total,
            blacklisted=line.blacklist is not None, note=line.note, republished_at=row.republished_at,
            bad_records=[PublicBadRecord(type=r.type, type_label=r.type_label, points=r.points, recorded_at=r.recorded_at,
                                         valid_until=r.valid_until) for r in line.bad_records],
        ))
    grades: dict[str, int] = {}
    for line_read in lines:
        grades[line_read.grade] = grades.get(line_read.grade, 0) + 1
    published_at = min(r.published_at for r in rows if r.published_at is not None)
    return PublishedQuarterRead(quarter=quarter, label=Quarter.parse(quarter).label(), published_at=published_at, grades=grades, lines=lines)


class RecordRead(CreditRecordView):
    state: str
    state_label: str


def record_read(record: CreditRecordView, at: datetime) -> RecordRead:
    state = record.status(at)
    return RecordRead(**record.model_dump(), state=state.value, state_label=STATUS_LABELS[state])


class QuarterLineRead(BaseModel):
    quarter: str
    grade: str
    grade_label: str
    computed_grade: str
    score: ScoreBreakdown
    adjusted_reason: str | None
    note: str | None
    published_at: datetime | None


class CompanyFileRead(BaseModel):
    """信用档案: every record (expired and revoked ones too), the standing now, each quarter's line."""

    company_id: str
    company_name: str
    standing: CreditStanding
    blacklist: BlacklistEntry | None
    records: list[RecordRead]
    quarters: list[QuarterLineRead]


async def company_file(session: AsyncSession, company_id: str, at: datetime) -> CompanyFileRead | None:
    company = await session.get(Company, company_id)
    if company is None or company.kind != "property":
        return None
    records = (await credit_repo.record_views(session, [company_id])).get(company_id, [])
    standing = await credit_repo.standing(session, company, at)
    quarters = []
    for row in await credit_repo.lines_of_company(session, company_id):
        line = AssessmentLine.model_validate(row.line)
        quarters.append(QuarterLineRead(quarter=row.quarter, grade=line.grade.value,
                                        grade_label=grade_label(line.grade, missing=line.missing), computed_grade=line.computed_grade.value,
                                        score=line.score, adjusted_reason=line.adjusted_reason, note=line.note,
                                        published_at=row.published_at))
    return CompanyFileRead(company_id=company.id, company_name=company.name, standing=standing, blacklist=standing.blacklist,
                           records=[record_read(r, at) for r in reversed(records)], quarters=quarters)
