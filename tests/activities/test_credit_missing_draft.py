"""The draft lists a company serving an estate with nothing in the credit system as C (缺失); tenders read it so."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest_asyncio

from activities.credit import CreditActivities, DraftRequest
from activities.tender import CompanyCheckRequest, TenderActivities
from db.repositories import credit as credit_repo
from domain.credit import CreditEntry, Grade
from domain.credit_facts import AssessmentLine
from tests.factories_credit import clear_quarter, create_company
from tests.factories_tender import create_tender_estate
from tests.fixture_types import Sessions

QUARTER = "2003Q2"  # a quarter of its own: the draft lists every company, and is removed afterwards


@pytest_asyncio.fixture
async def quarter(sessions: Sessions) -> AsyncIterator[str]:
    yield QUARTER
    await clear_quarter(sessions, QUARTER)


async def test_missing_companies_in_the_draft_and_in_the_tender_check(sessions: Sessions, quarter: str) -> None:
    serving = await create_company(sessions, grade=None)
    await create_tender_estate(sessions, company_id=serving)
    idle = await create_company(sessions, grade=None)
    recorded = await create_company(sessions, grade=None)
    graded = await create_company(sessions, grade="AA")
    async with sessions() as s, s.begin():
        await credit_repo.record_credit(s, CreditEntry(key=f"{recorded}:test", company_id=recorded, type="commendation",
                                                       reason="通报表扬", at=datetime(2003, 4, 2, tzinfo=UTC)))
    at = datetime(2003, 7, 1, tzinfo=UTC)
    summary = await CreditActivities(sessions).draft(DraftRequest(case_id=f"credit-assessment-{quarter}", quarter=quarter, at=at))
    assert idle not in summary.grades  # serves no estate and the system holds nothing on it: not listed
    assert summary.grades[serving] == Grade.C
    async with sessions() as s:
        lines = {row.company_id: AssessmentLine.model_validate(row.line) for row in await credit_repo.lines_of(s, quarter)}
    assert (lines[serving].grade, lines[serving].missing, lines[serving].score.total) == (Grade.C, True, 65)
    assert not lines[recorded].missing and lines[recorded].grade == Grade.B  # 55 + 3 + 10 = 68
    assert not lines[graded].missing

    # The tender's check (and the street's emergency appointment, which uses it) reads the computed grade.
    tender = TenderActivities(sessions)
    check = await tender.check_company(CompanyCheckRequest(company_id=idle))
    assert (check.credit_grade, check.refusal) == ("C", None)  # missing is C; a grade bars nobody, the blacklist does
    assert (await tender.check_company(CompanyCheckRequest(company_id=graded))).credit_grade == "AA"
