"""Activities of the tender: the estate's context, bidder registration, the expert pool, the result."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from activities.estates import known_estate
from db.repositories import credit as credit_repo
from db.repositories import tender as tender_repo
from db.session import transaction
from domain.credit import CreditEntry
from domain.expert_draw import ExpertProfile
from domain.rules import TENDER, TenderRules
from domain.tender import bidder_refusal


class TenderContextRequest(BaseModel):
    estate_id: str


class TenderContext(BaseModel):
    """What the tender needs to know about the estate."""

    estate_name: str
    street_id: str
    community_id: str
    current_company_id: str | None
    has_owners_committee: bool
    resettlement: bool


class CompanyCheckRequest(BaseModel):
    company_id: str
    rules: TenderRules = TENDER


class CompanyCheck(BaseModel):
    """A company's eligibility: the reason it is refused, or None."""

    company_id: str
    company_name: str
    credit_grade: str | None
    refusal: str | None


class BidRequest(BaseModel):
    """Register a company's bid in a round; eligibility is checked against the data layer."""

    case_id: str
    round: int
    company_id: str
    price_fen_per_m2: int
    plan: str
    at: datetime
    rules: TenderRules = TENDER


class ExpertPoolRequest(BaseModel):
    case_id: str


class ResultRequest(BaseModel):
    case_id: str
    round: int
    ranks: dict[str, tuple[int, str]]
    winner: str | None
    # Companies that declined the award in this tender before (实施条例 Art. 55).
    declined: list[str] = []


class AwardDeclinedRequest(BaseModel):
    """放弃中标: the company that declined, in which tender, and why."""

    case_id: str
    company_id: str
    reason: str


class TenderActivities:
    """Built once by the worker with the session factory."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    @activity.defn(name="tender_context")
    async def load_context(self, request: TenderContextRequest) -> TenderContext:
        """The estate's street, community, current company and whether it is a resettlement estate."""
        async with self._sessions() as session:
            estate = await known_estate(session, request.estate_id)
            return TenderContext(
                estate_name=estate.name, street_id=estate.street_id, community_id=estate.community_id,
                current_company_id=estate.property_company_id, has_owners_committee=estate.has_owners_committee,
                resettlement=estate.resettlement,
            )

    @activity.defn(name="tender_check_company")
    async def check_company(self, request: CompanyCheckRequest) -> CompanyCheck:
        """Business registration, blacklist and credit grade from the company table."""
        async with self._sessions() as session:
            company = await tender_repo.company(session, request.company_id)
            # The computed standing (records in force, last published quarter), not a static column.
            standing = await credit_repo.standing(session, company, datetime.now(UTC)) if company is not None else None
            grade = standing.grade.value if standing is not None and standing.grade is not None else None
            refusal = bidder_refusal(
                exists=company is not None and company.kind == "property",
                blacklisted=standing is not None and standing.blacklist is not None,
                business_licence=company.business_licence if company else None, credit_grade=grade,
            )
            return CompanyCheck(
                company_id=request.company_id, company_name=company.name if company else request.company_id,
                credit_grade=grade, refusal=refusal,
            )

    @activity.defn(name="tender_register_bid")
    async def register_bid(self, request: BidRequest) -> CompanyCheck:
        """Record the bid as valid, or as refused with the reason; a retry records it once."""
        check = await self.check_company(CompanyCheckRequest(company_id=request.company_id, rules=request.rules))
        async with transaction(self._sessions) as session:
            if await tender_repo.company(session, request.company_id) is None:
                return check  # nothing to record against an unknown company
            await tender_repo.add_bid(
                session, case_id=request.case_id, round=request.round, company_id=request.company_id,
                status="refused" if check.refusal else "valid", reason=check.refusal,
                price_fen_per_m2=request.price_fen_per_m2, plan=request.plan, at=request.at,
            )
        return check

    @activity.defn(name="tender_expert_pool")
    async def expert_pool(self, request: ExpertPoolRequest) -> list[ExpertProfile]:
        """The active experts with their employers and recorded relationships."""
        async with self._sessions() as session:
            return [
                ExpertProfile(
                    id=e.id, name=e.name, employer=e.employer, employer_company_id=e.employer_company_id,
                    specialty=e.specialty, related_company_ids=related,
                )
                for e, related in await tender_repo.expert_pool(session)
            ]

    @activity.defn(name="tender_record_result")
    async def record_result(self, request: ResultRequest) -> None:
        """Each bid's rank and score, and the winner, on the bid records."""
        async with transaction(self._sessions) as session:
            await tender_repo.record_result(session, case_id=request.case_id, round=request.round, ranks=request.ranks, winner=request.winner)
            if request.winner is not None:
                # 中标: a good record for the winner (seed 二(一)1 ties credit to tendering), once per case.
                # A later winner (the first declined) gets its own record: the key names it.
                key = f"{request.case_id}:award" if not request.declined else f"{request.case_id}:award:{request.winner}"
                await credit_repo.record_credit(session, CreditEntry(
                    key=key, company_id=request.winner, type="tender_award", case_id=request.case_id,
                    reason=f"招标项目 {request.case_id} 中标", at=datetime.now(UTC),
                ))

    @activity.defn(name="tender_award_declined")
    async def award_declined(self, request: AwardDeclinedRequest) -> int:
        """放弃中标: a bad credit record for the company, once per tender and company; returns its id."""
        async with transaction(self._sessions) as session:
            record = await credit_repo.record_credit(session, CreditEntry(
                key=f"{request.case_id}:tender_withdrawal:{request.company_id}", company_id=request.company_id,
                type="tender_withdrawal", case_id=request.case_id, reason=f"招标项目 {request.case_id} 中标后放弃：{request.reason}",
                at=datetime.now(UTC),
            ))
            return record.id
