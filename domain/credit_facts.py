"""The quarterly credit assessment (季考评) as a process: its steps, its lines, its decisions and its facts.

An assessment case grades every property company for one quarter (``domain.credit``), the housing
bureau reviews the draft (it may adjust a grade with a written reason), then publishes; the
published quarter takes objections to records (山东社会信用条例 Art. 39) until its window ends.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from domain.credit import (
    BlacklistEntry,
    CreditRecordView,
    Grade,
    QuarterFigures,
    ScoreBreakdown,
    blacklist_entry,
    grade_for,
    grade_label,
    score,
)
from domain.rules import CREDIT, CreditRules

PROCESS_KIND = "credit-assessment"
PROCESS_LABEL = "物业企业信用季度考评"


class Step(StrEnum):
    DRAFTING = "drafting"
    BUREAU_REVIEW = "bureau_review"
    PUBLISHED = "published"
    OBJECTION_ANSWER = "objection_answer"
    CLOSED = "closed"


STEP_LABELS: dict[str, str] = {
    Step.DRAFTING: "计算考评初稿", Step.BUREAU_REVIEW: "住建局审核", Step.PUBLISHED: "已公布（受理异议）",
    Step.OBJECTION_ANSWER: "异议答复", Step.CLOSED: "考评结束",
}

# Decisions: the bureau approves the reviewed grades (they are published), the recording unit answers
# an objection (not upheld) or upholds it (the record is revoked); both with a written reason.
DECISION_LABELS: dict[str, str] = {"approve": "审核通过并公布", "answer": "答复（异议不成立）", "uphold": "异议成立（撤销记录）", "adjust": "调整等级"}


class PublicRecord(BaseModel):
    """A bad record as the public sees it: what, when, how many points; no person is named."""

    id: int
    type: str
    type_label: str
    points: int
    reason: str
    recorded_at: datetime
    valid_until: datetime | None


class AssessmentLine(BaseModel):
    """One company's line of a quarter: its score, its grade (computed, and as reviewed), its blacklist state."""

    company_id: str
    company_name: str
    figures: QuarterFigures
    score: ScoreBreakdown
    computed_grade: Grade
    grade: Grade
    adjusted_reason: str | None = None
    adjusted_by: str | None = None
    blacklist: BlacklistEntry | None = None
    bad_records: list[PublicRecord] = Field(default_factory=list)
    # Set when a line is republished (an upheld objection revoked a record).
    note: str | None = None
    # 缺失: the credit system held nothing on the company when it was assessed; the grade is C.
    missing: bool = False


def assess_company(
    company_id: str, company_name: str, records: list[CreditRecordView], figures: QuarterFigures, at: datetime,
    rules: CreditRules = CREDIT, *, registered: bool = True,
) -> AssessmentLine:
    """One company's draft line at ``at`` (the quarter's end): records in force, the figures, the grade.

    A company the credit system holds nothing on (``registered`` false) is C, marked missing (缺失);
    its score is still shown.
    """
    breakdown = score(records, figures, at, rules)
    live_bad = [r for r in records if r.in_force(at) and r.kind == "bad"]
    grade = grade_for(breakdown.total, has_bad_record=bool(live_bad), rules=rules) if registered else Grade.C
    return AssessmentLine(
        company_id=company_id, company_name=company_name, figures=figures, score=breakdown, computed_grade=grade, grade=grade,
        missing=not registered,
        blacklist=blacklist_entry(records, at, rules),
        bad_records=[PublicRecord(id=r.id, type=r.type, type_label=r.type_label, points=r.points, reason=r.reason,
                                  recorded_at=r.recorded_at, valid_until=r.valid_until) for r in live_bad],
    )


def reassess(line: AssessmentLine, records: list[CreditRecordView], at: datetime, note: str, rules: CreditRules = CREDIT) -> AssessmentLine:
    """The line again after a record changed (an upheld objection); a bureau adjustment stands, with the note."""
    fresh = assess_company(line.company_id, line.company_name, records, line.figures, at, rules)
    grade = line.grade if line.adjusted_reason is not None else fresh.computed_grade
    return fresh.model_copy(update={"grade": grade, "adjusted_reason": line.adjusted_reason, "adjusted_by": line.adjusted_by,
                                    "note": note})


class CreditStanding(BaseModel):
    """A company's current grade and blacklist state, as tenders and appointments read them."""

    company_id: str
    grade: Grade | None
    blacklist: BlacklistEntry | None
    # assessment: recomputed from the records in force and the last assessed quarter's figures;
    # imported: the grade entered before the company's first assessment (the blacklist is computed either way).
    # missing: the credit system holds nothing on the company (缺失, grade C).
    basis: Literal["assessment", "imported", "missing"]
    missing: bool = False
    grade_label: str = ""


def in_credit_system(
    records: list[CreditRecordView], last_line: AssessmentLine | None, imported_grade: str | None, *, checked: bool = False,
) -> bool:
    """Whether the credit system holds anything on the company: an imported grade, a record of any state, a graded line,
    or (``checked``) a street's monthly check sheet in the quarter being assessed."""
    return bool(records) or checked or (last_line is not None and not last_line.missing) or imported_grade in Grade.__members__


def current_standing(
    company_id: str, records: list[CreditRecordView], last_line: AssessmentLine | None, imported_grade: str | None,
    imported_blacklisted: bool, at: datetime, rules: CreditRules = CREDIT,
) -> CreditStanding:
    """The grade recomputed whenever a record changes; the quarterly publication is only a snapshot of it.

    Before a company's first published assessment its grade is the imported one, and an imported
    blacklist entry stands; afterwards both follow the records. A bureau adjustment of the last
    quarter stands until the next assessment.
    """
    entry = blacklist_entry(records, at, rules)
    if not in_credit_system(records, last_line, imported_grade):
        if imported_blacklisted:
            entry = BlacklistEntry(reason="信用系统导入的黑名单", since=at, until=None, record_ids=[])
        return _standing(company_id, Grade.C, entry, "missing")
    if last_line is not None and last_line.missing:
        last_line = None  # a missing line registered nothing: the records decide
    if last_line is None:
        if entry is None and imported_blacklisted:
            entry = BlacklistEntry(reason="信用系统导入的黑名单", since=at, until=None, record_ids=[])
        if imported_grade is not None and imported_grade in Grade.__members__:
            return _standing(company_id, Grade(imported_grade), entry, "imported")
        # No imported grade but records: graded by the records alone, with no quarter's figures yet.
        return _standing(company_id, assess_company(company_id, "", records, QuarterFigures(), at, rules).computed_grade, entry, "assessment")
    if last_line.adjusted_reason is not None:
        grade = last_line.grade
    else:
        grade = assess_company(company_id, last_line.company_name, records, last_line.figures, at, rules).computed_grade
    return _standing(company_id, grade, entry, "assessment")


def _standing(company_id: str, grade: Grade, entry: BlacklistEntry | None, basis: Literal["assessment", "imported", "missing"]) -> CreditStanding:
    missing = basis == "missing"
    return CreditStanding(company_id=company_id, grade=grade, blacklist=entry, basis=basis, missing=missing,
                          grade_label=grade_label(grade, missing=missing))


class AdjustGrade(BaseModel):
    """The bureau's adjustment of one draft grade, with its written reason."""

    company_id: str = Field(min_length=1, max_length=64)
    grade: Grade
    reason: str = Field(min_length=2, max_length=1000, description="书面理由")


class ObjectionCreate(BaseModel):
    """A company's objection to one of its records (山东社会信用条例 Art. 39)."""

    text: str = Field(min_length=2, max_length=2000, description="异议理由")


class Objection(BaseModel):
    """An objection as the case keeps it."""

    id: str
    record_id: int
    company_id: str
    text: str
    by: str
    at: datetime
    task_id: str | None = None
    working_days: int
    outcome: str | None = None  # uphold / dismiss
    answer: str | None = None
    answered_at: datetime | None = None


class CreditAssessmentFacts(BaseModel):
    kind: Literal["credit-assessment"] = "credit-assessment"
    quarter: str
    companies: int = 0
    grades: dict[str, int] = Field(default_factory=dict)
    blacklisted: int = 0
    adjustments: int = 0
    published_at: datetime | None = None
    # Until when the published quarter takes objections (15 minutes in the demo).
    objections_until: datetime | None = None
    objections: list[Objection] = Field(default_factory=list)


def grade_counts(lines: dict[str, Grade]) -> dict[str, int]:
    """Companies per grade, every grade named (Jinan publishes quarterly counts per grade [S])."""
    return {g.value: sum(1 for v in lines.values() if v == g) for g in Grade}
