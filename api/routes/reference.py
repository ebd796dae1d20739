"""Reference data and the fund ledger: who am I, estates, households, accounts, deposits.

A household's ledger and balance are for its owner of record, the estate's owners' committee (the
residents' committee where there is none), the fund authority and auditors
(``domain.read_access.reads_unit_ledger``); the household list shows the others no balance.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import ActorDep, FundAuthorityDep, RequiredBoundKeyDep, SessionDep
from api.errors import Forbidden, IdempotencyKeyReused, NotFound
from api.limits import Offset
from api.owner_identity import own_households
from api.schemas import Labelled, role_l
from db.models import Estate, Household, LedgerEntry
from db.repositories import audit as audit_repo
from db.repositories import fund as fund_repo
from db.repositories import reference as reference_repo
from db.session import hold_write_gate
from domain.access import LEVEL_LABELS, Actor, Level, Role, Scope, covers
from domain.audit import AuditEvent, account_chain, request_digest
from domain.read_access import reads_unit_ledger

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


async def _visible_estate(session: AsyncSession, actor: Actor, estate_id: str) -> Estate:
    estate = await reference_repo.estate(session, estate_id)
    if estate is None:
        raise NotFound(f"no estate {estate_id}")
    if not covers(actor.jurisdiction, _estate_place(estate, actor)):
        raise Forbidden(f"estate {estate_id} is outside your jurisdiction")
    return estate


def _estate_place(estate: Estate, actor: Actor) -> Scope:
    # A company sees the estates it serves (as their property company or pricing agency).
    serving = actor.jurisdiction.id if actor.jurisdiction.id in (estate.property_company_id, estate.pricing_agency_id) else None
    return Scope(street_id=estate.street_id, community_id=estate.community_id, estate_id=estate.id, company_id=serving)


class EstateItem(BaseModel):
    id: str
    name: str
    street_id: str
    community_id: str


@router.get("/estates", response_model=list[EstateItem], summary="The estates inside your jurisdiction (for choosing one in a form)")
async def estates(session: SessionDep, actor: ActorDep) -> list[EstateItem]:
    return [
        EstateItem(id=e.id, name=e.name, street_id=e.street_id, community_id=e.community_id)
        for e in await reference_repo.estates(session) if covers(actor.jurisdiction, _estate_place(e, actor))
    ]


@router.get("/estates/{estate_id}", response_model=EstateRead, summary="An estate with its buildings and their units")
async def estate(estate_id: str, session: SessionDep, actor: ActorDep) -> EstateRead:
    e = await _visible_estate(session, actor, estate_id)
    units: dict[str, list[dict[str, str]]] = {}
    for u in await reference_repo.units_of_estate(session, e.id):
        units.setdefault(u.building_id, []).append({"id": u.id, "name": u.name})
    return EstateRead(
        id=e.id, name=e.name, street_id=e.street_id, community_id=e.community_id,
        property_company_id=e.property_company_id, pricing_agency_id=e.pricing_agency_id,
        has_owners_committee=e.has_owners_committee, counts=await reference_repo.estate_summary(session, e.id),
        buildings=[{"id": b.id, "name": b.name, "units": units.get(b.id, [])} for b in await reference_repo.buildings(session, e.id)],
    )


class HouseholdRead(BaseModel):
    id: str
    unit_id: str
    room: str
    area_m2: Decimal
    balance_fen: int | None
    top_up_due_at: datetime | None


def _estate_scope(estate: Estate) -> Scope:
    return Scope(street_id=estate.street_id, community_id=estate.community_id, estate_id=estate.id)


async def _own_units(session: AsyncSession, actor: Actor, estate_id: str) -> set[str]:
    """The units the owner records give to ``actor`` in the estate (none unless they sign in as an owner)."""
    if Role.OWNER not in actor.roles:
        return set()
    return set(await own_households(session, actor, estate_id))


@router.get("/estates/{estate_id}/households", response_model=list[HouseholdRead],
            summary="Households; their fund balances for the ledgers' readers (an owner: their own units')")
async def households(
    estate_id: str, session: SessionDep, actor: ActorDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200, offset: Offset = 0,
) -> list[HouseholdRead]:
    estate = await _visible_estate(session, actor, estate_id)
    scope, committee = _estate_scope(estate), estate.has_owners_committee
    own = await _own_units(session, actor, estate_id)
    out = []
    for h in await reference_repo.households_of_estate(session, estate_id, limit, offset):
        acc = await fund_repo.account(session, h.id) if reads_unit_ledger(actor, scope, h.id, own, has_owners_committee=committee) else None
        out.append(HouseholdRead(id=h.id, unit_id=h.unit_id, room=h.room, area_m2=h.area_m2,
                                 balance_fen=acc.balance_fen if acc else None, top_up_due_at=acc.top_up_due_at if acc else None))
    return out


class MyUnit(BaseModel):
    household_id: str
    estate_id: str
    room: str
    area_m2: Decimal
    balance_fen: int | None


@router.get("/me/units", response_model=list[MyUnit], summary="An owner's own units in their estate and each one's balance (others: none)")
async def my_units(session: SessionDep, actor: ActorDep) -> list[MyUnit]:
    estate_id = actor.jurisdiction.id if actor.jurisdiction.level == Level.ESTATE else None
    if estate_id is None:
        return []
    own = sorted(await _own_units(session, actor, estate_id))
    out = []
    for h in await reference_repo.households_by_id(session, own):
        acc = await fund_repo.account(session, h.id)
        out.append(MyUnit(household_id=h.id, estate_id=h.estate_id, room=h.room, area_m2=h.area_m2,
                          balance_fen=acc.balance_fen if acc else None))
    return out


class LedgerLine(BaseModel):
    id: int
    at: datetime
    kind: str
    amount_fen: int
    balance_after_fen: int
    case_id: str | None
    memo: str | None = Field(description="a deposit's reason; a payment's description")
    recorded_by: str | None = Field(default=None, description="who recorded a deposit (the fund authority's user)")


def ledger_line(e: LedgerEntry) -> LedgerLine:
    return LedgerLine(id=e.id, at=e.at, kind=e.kind, amount_fen=e.amount_fen, balance_after_fen=e.balance_after_fen,
                      case_id=e.case_id, memo=e.memo, recorded_by=e.recorded_by)


class FundAccountRead(BaseModel):
    household_id: str
    estate_id: str
    area_m2: Decimal
    balance_fen: int
    initial_deposit_fen: int
    top_up_due_at: datetime | None
    ledger: list[LedgerLine]


async def _visible_household(session: AsyncSession, actor: Actor, household_id: str) -> Household:
    h = await reference_repo.household(session, household_id)
    if h is None:
        raise NotFound(f"no household {household_id}")
    await _visible_estate(session, actor, h.estate_id)
    return h


@router.get("/households/{household_id}/fund", response_model=FundAccountRead,
            summary="A household's fund account and ledger (分户账): its owner, the estate's committee, the fund authority, auditors")
async def fund_account(household_id: str, session: SessionDep, actor: ActorDep) -> FundAccountRead:
    h = await _visible_household(session, actor, household_id)
    estate = await reference_repo.estate(session, h.estate_id)
    assert estate is not None  # the household's estate was just read
    if not reads_unit_ledger(actor, _estate_scope(estate), h.id, await _own_units(session, actor, h.estate_id),
                             has_owners_committee=estate.has_owners_committee):
        raise Forbidden("a household's fund ledger is for its owner, the estate's owners' committee, the fund authority and auditors")
    acc = await fund_repo.account(session, household_id)
    if acc is None:
        raise NotFound(f"household {household_id} has no fund account")
    return FundAccountRead(
        household_id=h.id, estate_id=h.estate_id, area_m2=h.area_m2, balance_fen=acc.balance_fen,
        initial_deposit_fen=acc.initial_deposit_fen, top_up_due_at=acc.top_up_due_at,
        ledger=[ledger_line(e) for e in await fund_repo.ledger(session, household_id)],
    )


class DepositCreate(BaseModel):
    """Money the fund authority received for a household's account: an exact number of fen, and why."""

    # Strict: true, "100" and 100.0 are refused rather than read as an amount of money.
    amount_fen: int = Field(gt=0, le=1_000_000_000, strict=True, examples=[500000])
    reason: str = Field(min_length=1, max_length=500, examples=["续交维修资金（潍坊 Art. 66）"])


@router.post("/households/{household_id}/fund/deposits", response_model=LedgerLine, status_code=status.HTTP_201_CREATED,
             summary="Record a deposit or top-up (续交) received by the fund authority; Idempotency-Key required")
async def deposit(
    household_id: str, body: DepositCreate, response: Response, session: SessionDep, actor: FundAuthorityDep,
    bound: RequiredBoundKeyDep,
) -> LedgerLine:
    idempotency_key = bound.key
    await _visible_household(session, actor, household_id)
    await hold_write_gate(session)  # SQLite: the balance is read and written in one turn
    key = f"deposit:{request_digest(actor.subject, idempotency_key)}"
    earlier = await fund_repo.deposit_of_key(session, key)
    if earlier is not None:
        if (earlier.household_id, earlier.amount_fen, earlier.memo) != (household_id, body.amount_fen, body.reason):
            raise IdempotencyKeyReused("this Idempotency-Key was used for another deposit; nothing was recorded")
        response.status_code = status.HTTP_200_OK
        return ledger_line(earlier)
    at = datetime.now(UTC)
    e = await fund_repo.deposit(session, household_id=household_id, amount_fen=body.amount_fen, at=at, memo=body.reason,
                                recorded_by=actor.subject, key=key)
    # The account's own audit chain: who recorded what, when and why. Its key is the request's, so a
    # concurrent copy of the request (another account included) fails whole here instead of paying twice.
    event = AuditEvent(
        key=key, at=at, kind="deposit", actor_subject=actor.subject, actor_name=actor.name,
        actor_role=",".join(r.value for r in actor.roles), actor_organisation=actor.organisation, decision="deposit",
        comment=body.reason, data={"ledger_id": e.id, "amount_fen": e.amount_fen, "balance_after_fen": e.balance_after_fen},
    )
    await audit_repo.append_events(session, account_chain(household_id), [event], maybe_stored=False)
    return ledger_line(e)
