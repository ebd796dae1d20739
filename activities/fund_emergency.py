"""Activities of the emergency-use process: the estate's context and payments out of the fund."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.estates import known_estate
from db.repositories import fund as fund_repo
from db.session import transaction
from domain.fund_ledger import PaymentOutcome, balance_shares, shares_for
from domain.rules import FUND_EMERGENCY, FundEmergencyRules


class FundContextRequest(BaseModel):
    estate_id: str
    scope: str
    scope_id: str | None = None


class FundCaseContext(BaseModel):
    """What the workflow needs to know about the estate and the households that pay."""

    estate_name: str
    street_id: str
    community_id: str
    property_company_id: str | None
    pricing_agency_id: str | None
    has_owners_committee: bool
    households: int
    area_hundredths: int


class PaymentRequest(BaseModel):
    """Pay ``amount_fen`` out of the affected households' accounts, apportioned by area.

    With ``settles`` set, ``amount_fen`` is the settled total and each household pays its share of
    it less what it paid under the ``settles`` payment key.
    """

    case_id: str
    kind: str  # first / final
    amount_fen: int
    estate_id: str
    scope: str
    scope_id: str | None = None
    payee: str | None = None
    settles: str | None = None
    # The rules the case carries (the top-up threshold and period, 潍坊 Art. 66); today's only for a
    # request scheduled before they travelled with it.
    rules: FundEmergencyRules = FUND_EMERGENCY
    # The public notice whose frozen shares this payment debits (the final payment); None: by today's areas.
    notice_no: int | None = None

    @property
    def key(self) -> str:
        return f"{self.case_id}:{self.kind}"


class FreezeNoticeRequest(BaseModel):
    """Publish a notice's shares: the settled total apportioned by the areas the registry holds now."""

    case_id: str
    notice_no: int
    settlement_fen: int
    estate_id: str
    scope: str
    scope_id: str | None = None


class FrozenNotice(BaseModel):
    households: int


async def apply_payment(session: AsyncSession, request: PaymentRequest, at: datetime) -> PaymentOutcome:
    """The payment's shares and its idempotent debit (also what ``core.reconcile`` re-applies after a restore)."""
    if request.notice_no is not None:
        # 公示分摊: the final payment debits what the notice published (淄博 Art. 67), not today's areas.
        shares = await fund_repo.notice_shares(session, case_id=request.case_id, notice_no=request.notice_no)
    else:
        areas = await fund_repo.household_areas(session, request.estate_id, request.scope, request.scope_id)
        shares = shares_for(request.amount_fen, areas)
    if request.settles is not None:
        shares = balance_shares(shares, await fund_repo.paid_shares(session, request.settles))
    # A shortfall returns before anything is written: the transaction commits nothing.
    return await fund_repo.pay(
        session, key=request.key, case_id=request.case_id, kind=request.kind, payee=request.payee,
        shares=shares, at=at, rules=request.rules,
    )


async def apply_freeze(session: AsyncSession, request: FreezeNoticeRequest) -> FrozenNotice:
    """Store a notice's shares once (also what ``core.reconcile`` re-applies after a restore)."""
    areas = await fund_repo.household_areas(session, request.estate_id, request.scope, request.scope_id)
    stored = await fund_repo.freeze_notice_shares(
        session, case_id=request.case_id, notice_no=request.notice_no, shares=shares_for(request.settlement_fen, areas),
    )
    return FrozenNotice(households=stored)


class FundEmergencyActivities:
    """Built once by the worker with the session factory."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    @activity.defn(name="fund_emergency_context")
    async def load_context(self, request: FundContextRequest) -> FundCaseContext:
        """The estate's street, community, companies and the households in the affected scope."""
        async with self._sessions() as session:
            estate = await known_estate(session, request.estate_id)
            if not await fund_repo.scope_exists(session, request.estate_id, request.scope, request.scope_id):
                raise ApplicationError(f"{request.scope} {request.scope_id} is not in the estate", type="UnknownScope", non_retryable=True)
            areas = await fund_repo.household_areas(session, request.estate_id, request.scope, request.scope_id)
            if not areas:
                raise ApplicationError("no households in the affected scope", type="EmptyScope", non_retryable=True)
            return FundCaseContext(
                estate_name=estate.name, street_id=estate.street_id, community_id=estate.community_id,
                property_company_id=estate.property_company_id, pricing_agency_id=estate.pricing_agency_id,
                has_owners_committee=estate.has_owners_committee, households=len(areas),
                area_hundredths=sum(areas.values()),
            )

    @activity.defn(name="fund_emergency_pay")
    async def pay(self, request: PaymentRequest) -> PaymentOutcome:
        """Debit every household's share in one transaction, or nothing if any account is short."""
        async with transaction(self._sessions) as session:
            return await apply_payment(session, request, datetime.now(UTC))

    @activity.defn(name="fund_emergency_freeze_notice")
    async def freeze_notice(self, request: FreezeNoticeRequest) -> FrozenNotice:
        """Store each household's share of the settlement as the notice publishes it (公示分摊, 淄博 Art. 67)."""
        async with transaction(self._sessions) as session:
            return await apply_freeze(session, request)
