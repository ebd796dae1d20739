"""Activities of the handover: bad credit records for the outgoing company, the estate's new company."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from db.repositories import cases as cases_repo
from db.repositories import credit as credit_repo
from db.repositories import tender as tender_repo
from db.session import transaction
from domain.credit import CreditEntry
from domain.tender import PROCESS_KIND as TENDER_KIND


class BadCreditRequest(BaseModel):
    """One bad record for the outgoing company, keyed by case and cause so a retry writes it once."""

    case_id: str
    company_id: str
    cause: str  # handover_refused / handover_overdue
    points: int
    reason: str


class EstateCompanyRequest(BaseModel):
    estate_id: str
    company_id: str


class TenderRef(BaseModel):
    """A tender case the street names as the follow-up selection for an estate."""

    case_id: str
    estate_id: str


class HandoverActivities:
    """Built once by the worker with the session factory."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    @activity.defn(name="handover_bad_credit")
    async def add_bad_credit(self, request: BadCreditRequest) -> int:
        """Write the bad credit record (物业管理条例 Art. 58); returns its id."""
        async with transaction(self._sessions) as session:
            record = await credit_repo.record_credit(session, CreditEntry(
                key=f"{request.case_id}:{request.cause}", company_id=request.company_id, type=request.cause,
                points=request.points, case_id=request.case_id, reason=request.reason, at=datetime.now(UTC),
            ))
            return record.id

    @activity.defn(name="handover_set_estate_company")
    async def set_estate_company(self, request: EstateCompanyRequest) -> None:
        """The incoming (or emergency) company now serves the estate."""
        async with transaction(self._sessions) as session:
            await tender_repo.set_estate_company(session, request.estate_id, request.company_id)

    @activity.defn(name="handover_follow_up_tender_exists")
    async def follow_up_tender_exists(self, ref: TenderRef) -> bool:
        """Whether the named case is a tender of this estate (潍坊 Art. 51: a new selection must follow)."""
        async with self._sessions() as session:
            record = await cases_repo.get_case(session, ref.case_id)
        return record is not None and record.kind == TENDER_KIND and record.estate_id == ref.estate_id
