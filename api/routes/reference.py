"""Reference data and the fund ledger: who am I, estates, households, accounts, deposits."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from api.deps import ActorDep, FundAuthorityDep, SessionDep
from api.errors import Forbidden, NotFound
from api.limits import Offset
from api.schemas import Labelled, role_l
from db.repositories import fund as fund_repo
from db.repositories import reference as reference_repo
from db.session import hold_write_gate
from domain.access import LEVEL_LABELS, Scope, covers

router = APIRouter(tags=["reference"])


class MeRead(BaseModel):
    subject: str
    name: str
    roles: list[Labelled]
    jurisdiction: Labelled
    jurisdiction_id: str | None
    organisation: str | None


@router.get("/me", response_model=MeRead, summary="Who the token says you are")
async def me(actor: ActorDep) -> MeRead:
    j = actor.jurisdiction
    return MeRead(
        subject=actor.subject, name=actor.name, roles=[role_l(r) for r in actor.roles],
        jurisdiction=Labelled(code=j.level.value, label=LEVEL_LABELS[j.level]), jurisdiction_id=j.id,
        organisation=actor.organisation,
    )


@router.get("/streets", summary="The towns, streets and the development zone (镇街)")
async def streets(session: SessionDep, actor: ActorDep) -> list[dict[str, str]]:
    return [{"id": s.id, "name": s.name, "kind": s.kind} for s in await reference_repo.streets(session)]


class EstateRead(BaseModel):
    id: str
    name: str
    street_id: str
    community_id: str
    property_company_id: str | None
    pricing_agency_id: str | None
    has_owners_committee: bool
    counts: dict[str, int]
    buildings: list[dict[str, Any]]


async def _visible_estate(session, actor, estate_id: str):  # type: ignore[no-untyped-def]
    estate = await reference_repo.estate(session, estate_id)
    if estate is None:
        raise NotFound(f"no estate {estate_id}")
    # A company sees the estates it serves (as their property company or pricing agency).
    serving = actor.jurisdiction.id if actor.jurisdiction.id in (estate.property_company_id, estate.pricing_agency_id) else None
    scope = Scope(street_id=estate.street_id, community_id=estate.community_id, estate_id=estate.id, company_id=serving)
    if not covers(actor.jurisdiction, scope):
        raise Forbidden(f"estate {estate_id} is outside your jurisdiction")
    return estate


@router.get("/estates/{estate_id}", response_model=EstateRead, summary="An estate with its buildings")
async def estate(estate_id: str, session: SessionDep, actor: ActorDep) -> EstateRead:
    e = await _visible_estate(session, actor, estate_id)
    return EstateRead(
        id=e.id, name=e.name, street_id=e.street_id, community_id=e.community_id,
        property_company_id=e.property_company_id, pricing_agency_id=e.pricing_agency_id,
        has_owners_committee=e.has_owners_committee, counts=await reference_repo.estate_summary(session, e.id),
        buildings=[{"id": b.id, "name": b.name} for b in await reference_repo.buildings(session, e.id)],
    )


class HouseholdRead(BaseModel):
    id: str
    unit_id: str
    room: str
    area_m2: Decimal
    balance_fen: int | None
    top_up_due_at: datetime | None


@router.get("/estates/{estate_id}/households", response_model=list[HouseholdRead], summary="Households with their fund balances")
async def households(
    estate_id: str, session: SessionDep, actor: ActorDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200, offset: Offset = 0,
) -> list[HouseholdRead]:
    await _visible_estate(session, actor, estate_id)
    out = []
    for h in await reference_repo.households_of_estate(session, estate_id, limit, offset):
        acc = await fund_repo.account(session, h.id)
        out.append(HouseholdRead(id=h.id, unit_id=h.unit_id, room=h.room, area_m2=h.area_m2,
                                 balance_fen=acc.balance_fen if acc else None, top_up_due_at=acc.top_up_due_at if acc else None))
    return out


class LedgerLine(BaseModel):
    id: int
    at: datetime
    kind: str
    amount_fen: int
    balance_after_fen: int
    case_id: str | None
    memo: str | None


class FundAccountRead(BaseModel):
    household_id: str
    estate_id: str
    area_m2: Decimal
    balance_fen: int
    initial_deposit_fen: int
    top_up_due_at: datetime | None
    ledger: list[LedgerLine]


async def _visible_household(session, actor, household_id: str):  # type: ignore[no-untyped-def]
    h = await reference_repo.household(session, household_id)
    if h is None:
        raise NotFound(f"no household {household_id}")
    await _visible_estate(session, actor, h.estate_id)
    return h


@router.get("/households/{household_id}/fund", response_model=FundAccountRead, summary="A household's fund account and ledger (分户账)")
async def fund_account(household_id: str, session: SessionDep, actor: ActorDep) -> FundAccountRead:
    h = await _visible_household(session, actor, household_id)
    acc = await fund_repo.account(session, household_id)
    if acc is None:
        raise NotFound(f"household {household_id} has no fund account")
    return FundAccountRead(
        household_id=h.id, estate_id=h.estate_id, area_m2=h.area_m2, balance_fen=acc.balance_fen,
        initial_deposit_fen=acc.initial_deposit_fen, top_up_due_at=acc.top_up_due_at,
        ledger=[LedgerLine(id=e.id, at=e.at, kind=e.kind, amount_fen=e.amount_fen, balance_after_fen=e.balance_after_fen,
                           case_id=e.case_id, memo=e.memo) for e in await fund_repo.ledger(session, household_id)],
    )


class DepositCreate(BaseModel):
    amount_fen: int = Field(gt=0, le=1_000_000_000, examples=[500000])
    memo: str | None = Field(default=None, max_length=500, examples=["续交维修资金"])


@router.post("/households/{household_id}/fund/deposits", response_model=LedgerLine, status_code=status.HTTP_201_CREATED,
             summary="Record a deposit or top-up (续交) received by the fund authority")
async def deposit(household_id: str, body: DepositCreate, session: SessionDep, actor: FundAuthorityDep) -> LedgerLine:
    await _visible_household(session, actor, household_id)
    await hold_write_gate(session)  # SQLite: the balance is read and written in one turn
    e = await fund_repo.deposit(session, household_id=household_id, amount_fen=body.amount_fen, at=datetime.now(timezone.utc), memo=body.memo)
    return LedgerLine(id=e.id, at=e.at, kind=e.kind, amount_fen=e.amount_fen, balance_after_fen=e.balance_after_fen, case_id=e.case_id, memo=e.memo)
