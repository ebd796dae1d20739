"""Activities of the quarterly credit assessment: draft the grades, adjust, publish, revoke after an objection."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from db.repositories import credit as credit_repo
from db.repositories import credit_check as check_repo
from db.session import transaction
from domain.credit import Grade, Quarter, QuarterFigures
from domain.credit_check import months_of_quarter
from domain.credit_facts import AssessmentLine, assess_company, in_credit_system, reassess
from domain.rules import CREDIT, CreditRules


class DraftRequest(BaseModel):
    case_id: str
    quarter: str
    # The moment the grades are taken at: the quarter's end, or now when assessed before it ends.
    at: datetime
    rules: CreditRules = CREDIT


class DraftSummary(BaseModel):
    """What the case keeps of the draft: each company's grade (the lines themselves are stored)."""

    grades: dict[str, Grade]
    blacklisted: list[str]


class AdjustRequest(BaseModel):
    quarter: str
    company_id: str
    grade: Grade
    reason: str
    by: str


class PublishRequest(BaseModel):
    quarter: str
    at: datetime


class RevokeRequest(BaseModel):
    """An upheld objection: revoke the record and, if its company has a line this quarter, reassess it."""

    quarter: str
    record_id: int
    reason: str
    at: datetime
    rules: CreditRules = CREDIT


class RevokeResult(BaseModel):
    company_id: str
    grade_before: Grade | None
    grade_after: Grade | None
    republished: bool


class CreditActivities:
    """Built once by the worker with the session factory."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    @activity.defn(name="credit_draft_grades")
    async def draft(self, request: DraftRequest) -> DraftSummary:
        """Grade every property company for the quarter and store the draft lines; a retry drafts again."""
        quarter = Quarter.parse(request.quarter)
        async with transaction(self._sessions) as session:
            companies = await credit_repo.property_companies(session)
            records = await credit_repo.record_views(session)
            figures = await credit_repo.ticket_figures(session, quarter.start(), min(quarter.end(), request.at))
            serving = await credit_repo.serving_company_ids(session)
            # The quarter's monthly checks (月检查): each company's average over its streets' sheets.
            checks = await check_repo.check_averages(session, months_of_quarter(quarter.first_day()))
            grades: dict[str, Grade] = {}
            blacklisted: list[str] = []
            for company in companies:
                own = records.get(company.id, [])
                last = await credit_repo.last_published_line(session, company.id)
                registered = in_credit_system(own, AssessmentLine.model_validate(last.line) if last else None, company.credit_grade,
                                              checked=company.id in checks)
                if not registered and company.id not in serving:
                    continue  # neither serving an estate nor in the credit system: nothing to publish (DOMAIN.md: 缺失)
                quarter_figures = figures.get(company.id, QuarterFigures()).model_copy(update={"check_average": checks.get(company.id)})
                line = assess_company(company.id, company.name, own, quarter_figures, request.at, request.rules, registered=registered)
                await credit_repo.save_line(session, quarter=request.quarter, case_id=request.case_id, company_id=company.id,
                                            grade=line.grade.value, line=line.model_dump(mode="json"), at=request.at)
                grades[company.id] = line.grade
                if line.blacklist is not None:
                    blacklisted.append(company.id)
        return DraftSummary(grades=grades, blacklisted=blacklisted)

    @activity.defn(name="credit_adjust_grade")
    async def adjust(self, request: AdjustRequest) -> None:
        """The bureau's adjusted grade and its written reason on the draft line."""
        async with transaction(self._sessions) as session:
            row = await credit_repo.line_of(session, request.quarter, request.company_id)
            if row is None or row.published_at is not None:
                raise ApplicationError(f"no draft line of {request.company_id} in {request.quarter}", type="NoDraftLine", non_retryable=True)
            # The bureau's grade stands in place of a missing one too.
            line = AssessmentLine.model_validate(row.line).model_copy(
                update={"grade": request.grade, "adjusted_reason": request.reason, "adjusted_by": request.by, "missing": False})
            row.grade, row.line = request.grade.value, line.model_dump(mode="json")

    @activity.defn(name="credit_publish")
    async def publish(self, request: PublishRequest) -> int:
        """Publish every line of the quarter; returns how many."""
        async with transaction(self._sessions) as session:
            return await credit_repo.publish_lines(session, request.quarter, request.at)

    @activity.defn(name="credit_revoke_record")
    async def revoke(self, request: RevokeRequest) -> RevokeResult:
        """Revoke the record; its company's line is reassessed and, when published, republished with a note."""
        async with transaction(self._sessions) as session:
            record = await credit_repo.revoke_record(session, request.record_id, at=request.at, reason=request.reason)
            row = await credit_repo.line_of(session, request.quarter, record.company_id)
            if row is None:
                return RevokeResult(company_id=record.company_id, grade_before=None, grade_after=None, republished=False)
            before = AssessmentLine.model_validate(row.line)
            records = (await credit_repo.record_views(session, [record.company_id])).get(record.company_id, [])
            # The line is taken again at the quarter's moment, without the revoked record.
            taken_at = row.drafted_at
            note = f"{request.at.date().isoformat()} 异议成立，撤销记录 {record.id}（{record.reason}）"
            after = reassess(before, [r for r in records if r.id != record.id], taken_at, note, request.rules)
            row.grade, row.line = after.grade.value, after.model_dump(mode="json")
            republished = row.published_at is not None
            if republished:
                row.republished_at = request.at
            return RevokeResult(company_id=record.company_id, grade_before=before.grade, grade_after=after.grade, republished=republished)
