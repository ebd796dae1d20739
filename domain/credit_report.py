"""信用概况: grade distribution per published quarter, companies that moved grade, records by type.

The third report of the policy's targets (附件3 item 1: quarterly publication of every company's
evaluation). Pure: it takes the published lines and the records, and counts.
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise

from pydantic import BaseModel

from domain.credit import CreditRecordView, Grade, RecordStatus
from domain.rules import CREDIT, CreditRules


class PublishedGrade(BaseModel):
    """One company's published grade in one quarter, as the report reads it."""

    quarter: str
    company_id: str
    company_name: str
    grade: Grade
    blacklisted: bool


class QuarterDistribution(BaseModel):
    quarter: str
    grades: dict[str, int]
    blacklisted: int
    companies: int


class GradeMove(BaseModel):
    """A company whose grade changed from one published quarter to the next."""

    company_id: str
    company_name: str
    quarter: str
    previous_quarter: str
    previous_grade: Grade
    grade: Grade
    direction: str  # up / down


class RecordCount(BaseModel):
    type: str
    type_label: str
    kind: str
    total: int
    in_force: int
    expired: int
    revoked: int


class CreditOverview(BaseModel):
    generated_at: datetime
    quarters: list[QuarterDistribution]
    moves: list[GradeMove]
    records: list[RecordCount]


GRADE_RANK = {g: i for i, g in enumerate((Grade.C, Grade.B, Grade.A, Grade.AA, Grade.AAA))}


def credit_overview(lines: list[PublishedGrade], records: list[CreditRecordView], at: datetime, rules: CreditRules = CREDIT) -> CreditOverview:
    """The overview at ``at``: quarters oldest first, moves between consecutive published quarters, records per type."""
    by_quarter: dict[str, dict[str, PublishedGrade]] = {}
    for line in lines:
        by_quarter.setdefault(line.quarter, {})[line.company_id] = line
    quarters = sorted(by_quarter)
    distribution = [
        QuarterDistribution(
            quarter=q, grades={g.value: sum(1 for x in by_quarter[q].values() if x.grade == g) for g in Grade},
            blacklisted=sum(1 for x in by_quarter[q].values() if x.blacklisted), companies=len(by_quarter[q]),
        )
        for q in quarters
    ]
    moves: list[GradeMove] = []
    for previous, current in pairwise(quarters):
        for company_id, line in sorted(by_quarter[current].items()):
            before = by_quarter[previous].get(company_id)
            if before is None or before.grade == line.grade:
                continue
            moves.append(GradeMove(
                company_id=company_id, company_name=line.company_name, quarter=current, previous_quarter=previous,
                previous_grade=before.grade, grade=line.grade,
                direction="up" if GRADE_RANK[line.grade] > GRADE_RANK[before.grade] else "down",
            ))
    counts: dict[str, RecordCount] = {}
    for record in records:
        known = rules.record_types.get(record.type)
        row = counts.setdefault(record.type, RecordCount(
            type=record.type, type_label=known.label if known else record.type, kind=record.kind, total=0, in_force=0, expired=0, revoked=0))
        row.total += 1
        state = record.status(at)
        if state == RecordStatus.IN_FORCE:
            row.in_force += 1
        elif state == RecordStatus.EXPIRED:
            row.expired += 1
        else:
            row.revoked += 1
    return CreditOverview(generated_at=at, quarters=distribution, moves=moves, records=sorted(counts.values(), key=lambda r: r.type))
