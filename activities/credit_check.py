"""Activities of the monthly check (月检查): the month's first working day, who checks whom, results, bad records."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from db.repositories import credit as credit_repo
from db.repositories import credit_check as check_repo
from db.repositories import holiday_calendar as calendar_repo
from db.session import transaction
from domain.credit import CreditEntry
from domain.credit_check import CheckPair, ItemFinding, first_working_day, parse_month

UNRECTIFIED_TYPE = "monthly_check_unrectified"


class CheckResultRequest(BaseModel):
    case_id: str
    month: str
    street_id: str
    company_id: str
    score: Decimal
    items: list[ItemFinding]
    at: datetime


class UnrectifiedRequest(BaseModel):
    """An item still unrectified at the re-check: one bad record, its key the case's and the item's."""

    case_id: str
    company_id: str
    item: str
    reason: str
    evidence: str | None = None
    recorded_by: str | None = None
    at: datetime


def unrectified_key(case_id: str, item: str) -> str:
    """One record per cause: the check case and the item (a retried activity, a replayed case write once)."""
    return f"monthly-check:{case_id}:{item}"


class CreditCheckActivities:
    """Built once by the worker with the session factory."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    @activity.defn(name="credit_check_first_working_day")
    async def first_working_day(self, month: str) -> date:
        """The month's first working day on the published holiday calendar (Monday to Friday on an unpublished year)."""
        async with self._sessions() as session:
            calendar = await calendar_repo.calendar(session)
        return first_working_day(parse_month(month), calendar)

    @activity.defn(name="credit_check_pairs")
    async def pairs(self) -> list[CheckPair]:
        """Every street and every property company serving an estate in it, as the estates stand now."""
        async with self._sessions() as session:
            return await check_repo.check_pairs(session)

    @activity.defn(name="credit_check_save_result")
    async def save_result(self, request: CheckResultRequest) -> None:
        async with transaction(self._sessions) as session:
            await check_repo.save_result(session, case_id=request.case_id, month=request.month, street_id=request.street_id,
                                         company_id=request.company_id, score=request.score,
                                         items=[f.model_dump(mode="json") for f in request.items], at=request.at)

    @activity.defn(name="credit_check_unrectified_record")
    async def record_unrectified(self, request: UnrectifiedRequest) -> int:
        """The bad record through the one writer of every source; its id."""
        async with transaction(self._sessions) as session:
            record = await credit_repo.record_credit(session, CreditEntry(
                key=unrectified_key(request.case_id, request.item), company_id=request.company_id, type=UNRECTIFIED_TYPE,
                reason=request.reason, evidence=request.evidence, case_id=request.case_id, recorded_by=request.recorded_by,
                at=request.at,
            ))
            return record.id
