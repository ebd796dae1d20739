"""Helpers for the credit tests: a fresh property company, and a quarter's lines removed afterwards."""

from __future__ import annotations

import uuid

from sqlalchemy import delete

from db.models import Company, CreditAssessmentLine
from tests.driver import CaseDriver
from tests.fixture_types import Sessions


async def create_company(sessions: Sessions, *, grade: str | None = "A", blacklisted: bool = False) -> str:
    """A property company of its own, so a test's records grade nobody else."""
    company_id = f"co-credit-{uuid.uuid4().hex[:8]}"
    async with sessions() as s, s.begin():
        s.add(Company(id=company_id, name=f"信用测试物业{company_id[-4:]}", kind="property", credit_grade=grade,
                      blacklisted=blacklisted, business_licence=f"91370781{company_id[-6:].upper()}"))
    return company_id


async def clear_quarter(sessions: Sessions, quarter: str) -> None:
    """Remove a quarter's lines: a published quarter replaces every company's imported grade, which other tests read."""
    async with sessions() as s, s.begin():
        await s.execute(delete(CreditAssessmentLine).where(CreditAssessmentLine.quarter == quarter))


class CreditDriver(CaseDriver):
    """A quarter's assessment case, read by the housing bureau."""

    reader = "bureau"
