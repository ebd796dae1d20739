"""招标 + 新旧物业衔接: publish a tender, register bids, clarify, object, read the draw; the expert pool.

Who reads what of a tender (sealed bids, the public part every company reads) is its read policy,
``api.routes.tender_view``, which every route showing the case applies.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, Field

from api.case_service import CasePlace, case_for, estate_for_start, load_visible_case, send_update, start_case, started_case
from api.deps import (
    ActorDep,
    BidderDep,
    BoundKeyDep,
    CaseCallDep,
    ClientDep,
    ExpertPoolReaderDep,
    SessionDep,
    SettingsDep,
    refused_logged,
)
from api.errors import Conflict, Forbidden, Invalid, NotFound
from api.idempotency import KeyUse, request_print
from api.schemas import CaseRead
from core.registry import REGISTRY
from core.settings import Settings
from db.models import CaseRecord
from db.repositories import cases as cases_repo
from db.repositories import tender as tender_repo
from domain.access import Actor, Role
from domain.expert_draw import CommitteePlan, DrawRound, verify_round
from domain.rules import TenderRules
from domain.tasks import DecisionRefused
from domain.tender import PROCESS_KIND, BidData, Selection, TenderStart, check_bid_deadline
from domain.tender_facts import ExclusionFacts, ExpertRef, MemberFacts, TenderFacts
from workflows.tender_models import BidInput, ClarificationInput, TenderObjectionInput

router = APIRouter(tags=["tender 物业服务招标"])

# Who may read the draw with the experts' names before the award.
DRAW_READERS = (Role.HOUSING_BUREAU, Role.AUDITOR, Role.ADMIN)

START_EXAMPLES = {
    "re-selection": {
        "summary": "业委会重新选聘: the current company is dismissed (60 days' notice)",
        "value": {
            "estate_id": "yidu-jinxiu", "selection": "reselection", "method": "comprehensive",
            "summary": "锦绣华庭物业服务招标：服务期三年，住宅物业费不高于1.2元/㎡·月", "bid_deadline": "2027-01-10T09:00:00+08:00",
            "outgoing": {"reason": "dismissal"},
        },
    },
    "first tender": {
        "summary": "前期物业: the developer's first tender, lowest evaluated price",
        "value": {"estate_id": "wangfu-fuhua", "selection": "first", "method": "lowest_price",
                  "summary": "富华小区前期物业服务招标", "bid_deadline": "2027-01-10T09:00:00+08:00"},
    },
}


class BidCreate(BidData):
    """A bid; the bidding company is the caller's, from the token."""


class ClarificationCreate(BaseModel):
    text: str = Field(min_length=1, max_length=4000, examples=["第3.2条物业服务用房面积更正为120㎡"])


class TenderObjectionCreate(BaseModel):
    text: str = Field(min_length=1, max_length=4000, examples=["第一中标候选人项目经理资格证书已过期"])


class DrawRead(BaseModel):
    """The draw as an auditor checks it: pool, exclusions with reasons, every round re-derived."""

    case_id: str
    committee_plan: CommitteePlan | None
    expert_pool: list[ExpertRef]
    exclusions: list[ExclusionFacts]
    draws: list[DrawRound]
    committee: list[MemberFacts]
    names_released: bool
    verified: bool


class ExpertRead(BaseModel):
    id: str
    name: str
    employer: str
    specialty: str
    related_company_ids: list[str]


def _facts(record: CaseRecord) -> TenderFacts:
    return TenderFacts.model_validate(record.snapshot.get("facts", {}))


async def _tender_record(session: SessionDep, actor: Actor, case_id: str, *, snapshot: bool = True) -> CaseRecord:
    """A tender the caller may read (every company may: it is a public announcement); 404 otherwise."""
    record = await load_visible_case(session, actor, case_id, snapshot=snapshot)
    if record.kind != PROCESS_KIND:
        raise NotFound(f"no tender {case_id}")
    return record


@router.post(
    "/cases/tender", response_model=CaseRead, status_code=status.HTTP_201_CREATED,
    summary="Publish a tender (招标公告) and start its case; the bid deadline is ≥ 20 days away",
    openapi_extra={"requestBody": {"content": {"application/json": {"examples": START_EXAMPLES}}}},
)
async def start(
    body: TenderStart, response: Response, session: SessionDep, actor: ActorDep, client: ClientDep,
    settings: SettingsDep, key: BoundKeyDep,
) -> CaseRead:
    idempotency_key = key.key if key is not None else None
    if Role.CLERK not in actor.roles:
        raise Forbidden("only a clerk publishes a tender")
    estate, scope = await estate_for_start(session, actor, body.estate_id)
    if body.selection == Selection.RESELECTION and estate.property_company_id is None:
        raise Invalid("the estate has no current company to re-select from; publish a first tender",
                      errors=[{"loc": ["body", "selection"], "msg": "no current company", "type": "value_error"}])
    rules = REGISTRY[PROCESS_KIND].rules_for(settings.demo_periods)
    assert isinstance(rules, TenderRules)
    # One clock: the publication time checked here is the one the workflow counts from (招标投标法 Art. 24).
    published_at = datetime.now(UTC)
    try:
        check_bid_deadline(published_at, body.bid_deadline, rules)
    except DecisionRefused as exc:
        raise Invalid(exc.detail, errors=exc.errors) from None
    # One service area, one provider (潍坊 Art. 45): a second tender while one runs would award the estate twice.
    active = await tender_repo.active_tender_case(session, estate.id)
    if active is not None and not (idempotency_key and await cases_repo.find_start_request(session, f"start:{idempotency_key}")):
        raise Conflict(f"a tender is already running for this estate: {active}", case_id=active)
    place = CasePlace(scope=scope, id_key=estate.id, title=f"{estate.name} · 物业服务招标")
    case_id, created = await start_case(
        REGISTRY[PROCESS_KIND], body, actor, idempotency_key, session=session, client=client, settings=settings, place=place,
        at=published_at,
    )
    return await started_case(session, settings, response, case_id, created)


@router.get("/cases/tender/{case_id}", response_model=CaseRead, summary="A tender; bidders see the public part only")
async def get_tender(case_id: str, session: SessionDep, actor: ActorDep, settings: SettingsDep) -> CaseRead:
    return await case_for(session, settings, actor, await _tender_record(session, actor, case_id))


async def _bidder_update(request: Request, session: SessionDep, actor: Actor, client: ClientDep, settings: Settings,
                         case_id: str, update: str, payload: BaseModel, audit: dict[str, Any], key: KeyUse | None) -> CaseRead:
    sessions = request.app.state.sessions
    audit = {**audit, "body": (await request_print(request)).as_audit()}
    record = await refused_logged(sessions, actor, case_id, audit, _tender_record(session, actor, case_id, snapshot=False))
    await session.close()  # no connection held while Temporal works
    snap = await send_update(client=client, sessions=sessions, case_id=record.id, update=update,
                             payload=payload, actor=actor, key=key, audit_context=audit, wait=settings.update_wait_seconds)
    return await case_for(session, settings, actor, record, snap)


@router.post("/cases/tender/{case_id}/bids", response_model=CaseRead, summary="Register your company's bid (投标); refused with the reason if ineligible")
async def register_bid(
    case_id: str, body: BidCreate, request: Request, session: SessionDep, actor: BidderDep, client: ClientDep,
    settings: SettingsDep, key: BoundKeyDep,
) -> CaseRead:
    payload = BidInput(bid=BidData.model_validate(body.model_dump()), actor=actor)
    audit = {"decision": "bid", "step": "bidding", "data": body.model_dump()}
    return await _bidder_update(request, session, actor, client, settings, case_id, "register_bid", payload, audit, key)


@router.post("/cases/tender/{case_id}/clarifications", response_model=CaseRead,
             summary="Clarify the tender documents (澄清); later than 15 days before the deadline it moves the deadline")
async def clarify(case_id: str, body: ClarificationCreate, call: CaseCallDep) -> CaseRead:
    def is_tender(record: CaseRecord) -> None:
        if record.kind != PROCESS_KIND:
            raise Conflict("this case is not a tender")

    if not body.text.strip():
        raise Invalid("a clarification needs its text")
    payload = ClarificationInput(text=body.text, actor=call.actor)
    return await call.update(case_id, "clarify", payload, {"decision": "clarify", "step": "bidding"}, check=is_tender)


@router.post("/cases/tender/{case_id}/objections", response_model=CaseRead,
             summary="Object to the evaluation result during the publicity (异议); the award waits for the answer")
async def object_to_result(
    case_id: str, body: TenderObjectionCreate, request: Request, session: SessionDep, actor: ActorDep, client: ClientDep,
    settings: SettingsDep, key: BoundKeyDep,
) -> CaseRead:
    if not body.text.strip():
        raise Invalid("an objection needs its text")
    payload = TenderObjectionInput(text=body.text, actor=actor)
    audit = {"decision": "object", "step": "publicity"}
    return await _bidder_update(request, session, actor, client, settings, case_id, "object", payload, audit, key)


@router.get("/cases/tender/{case_id}/draw", response_model=DrawRead,
            summary="The expert draw as recorded: eligible pool, exclusions with reasons, random values, choice, re-derived")
async def draw(case_id: str, session: SessionDep, actor: ActorDep) -> DrawRead:
    record = await _tender_record(session, actor, case_id)
    facts = _facts(record)
    if not facts.released and not actor.has_any(DRAW_READERS):
        # 实施条例 Art. 46: the committee's names stay confidential until the result is set.
        raise Forbidden("the committee stays confidential until the award, except to the housing bureau and auditors")
    recorded = facts.expert_draw
    pool, exclusions, committee = recorded.expert_pool, recorded.exclusions, recorded.committee
    if not facts.released:
        # The case facts carry ids only before the award; the supervising officials read the names from the pool.
        names = {e.id: {"name": e.name, "employer": e.employer} for e, _ in await tender_repo.expert_pool(session)}
        pool = [x.model_copy(update=names.get(x.expert_id, {})) for x in pool]
        exclusions = [x.model_copy(update=names.get(x.expert_id, {})) for x in exclusions]
        committee = [x.model_copy(update=names.get(x.expert_id, {})) for x in committee]
    return DrawRead(
        case_id=case_id, committee_plan=recorded.committee_plan, expert_pool=pool, exclusions=exclusions,
        draws=recorded.draws, committee=committee, names_released=recorded.names_released,
        verified=all(verify_round(r) for r in recorded.draws),
    )


@router.get("/experts", response_model=list[ExpertRead], summary="The bid-evaluation expert pool (评标专家库), for officials")
async def experts(session: SessionDep, official: ExpertPoolReaderDep) -> list[ExpertRead]:
    return [
        ExpertRead(id=e.id, name=e.name, employer=e.employer, specialty=e.specialty, related_company_ids=related)
        for e, related in await tender_repo.expert_pool(session)
    ]
