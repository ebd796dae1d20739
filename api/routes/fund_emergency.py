"""维修资金应急使用: start a case, object during its notice, see each household's share."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from api.case_service import CasePlace, estate_for_start, load_visible_case, start_case, started_case
from api.deps import ActorDep, BoundKeyDep, CaseCallDep, ClientDep, SessionDep, SettingsDep
from api.errors import Conflict, Forbidden, Invalid
from api.schemas import CaseRead, ObjectionCreate
from core.registry import REGISTRY
from db.models import CaseRecord
from db.repositories import cases as cases_repo
from db.repositories import fund as fund_repo
from domain.access import Role
from domain.fund_emergency import CATEGORY_LABELS, PROCESS_KIND, FundEmergencyStart, resubmission_problem
from domain.fund_facts import FundFacts
from domain.fund_ledger import shares_for
from workflows.fund_emergency_models import ObjectionInput

router = APIRouter(prefix="/cases/fund-emergency", tags=["fund-emergency 维修资金应急使用"])

# Who may report an emergency: the property company or affected owners (through their
# representative or committee), the community, the street office, or a clerk.
REPORTERS = (Role.CLERK, Role.PROPERTY_COMPANY, Role.OWNER_REP, Role.OWNERS_COMMITTEE, Role.COMMUNITY, Role.STREET_OFFICE)


@router.post(
    "", response_model=CaseRead, status_code=status.HTTP_201_CREATED,
    summary="Report an emergency and start a case (Idempotency-Key makes a retry safe)",
)
async def start(
    body: FundEmergencyStart, response: Response, session: SessionDep, actor: ActorDep, client: ClientDep,
    settings: SettingsDep, key: BoundKeyDep,
) -> CaseRead:
    idempotency_key = key.key if key is not None else None
    if not actor.has_any(REPORTERS):
        raise Forbidden("your role cannot report an emergency repair")
    estate, scope = await estate_for_start(session, actor, body.estate_id, company_ok=True)
    if not await fund_repo.scope_exists(session, estate.id, body.scope.value, body.scope_id):
        raise Invalid(f"{body.scope.value} {body.scope_id} is not part of estate {estate.id}",
                      errors=[{"loc": ["body", "scope_id"], "msg": "not in the estate", "type": "value_error"}])
    if not await fund_repo.household_areas(session, estate.id, body.scope.value, body.scope_id):
        raise Invalid("the affected scope has no households to share the cost")
    if body.resubmission_of is not None:
        named = await cases_repo.get_case(session, body.resubmission_of, snapshot=False)
        problem = resubmission_problem(estate.id, (named.kind, named.status, named.estate_id) if named else None)
        if problem is not None:
            raise Invalid(f"resubmission_of {body.resubmission_of}: {problem}",
                          errors=[{"loc": ["body", "resubmission_of"], "msg": problem, "type": "value_error"}])
    place = CasePlace(scope=scope, id_key=estate.id, title=f"{estate.name} · {CATEGORY_LABELS[body.category]}")
    case_id, created = await start_case(
        REGISTRY[PROCESS_KIND], body, actor, idempotency_key, session=session, client=client, settings=settings, place=place,
    )
    return await started_case(session, settings, response, case_id, created)


@router.post("/{case_id}/objections", response_model=CaseRead, summary="An owner objects during the public notice (公示异议)")
async def object_to_notice(case_id: str, body: ObjectionCreate, call: CaseCallDep) -> CaseRead:
    def has_notice(record: CaseRecord) -> None:
        if record.kind != PROCESS_KIND:
            raise Conflict("this case has no public notice")

    payload = ObjectionInput(text=body.text, actor=call.actor)
    return await call.update(case_id, "object", payload, {"decision": "object", "step": "public_notice"}, check=has_notice)


class NoticeShare(BaseModel):
    household_id: str
    share_fen: int


class NoticeRead(BaseModel):
    case_id: str
    settlement_fen: int
    start: datetime
    end: datetime = Field(description="24:00 city time of the notice's last day (民法典 Arts. 201, 203)")
    households: int
    shares: list[NoticeShare]
    frozen: bool = Field(description="the shares as the notice published them at its start (淄博 Art. 67); "
                                     "false for a case from before they were stored, read from today's registry")


@router.get("/{case_id}/notice", response_model=NoticeRead, summary="The public notice: each household's share (公示分摊)")
async def notice(case_id: str, session: SessionDep, actor: ActorDep) -> NoticeRead:
    record = await load_visible_case(session, actor, case_id)
    if record.kind != PROCESS_KIND:
        raise Conflict("the case has not reached its public notice")
    facts = FundFacts.model_validate(record.snapshot.get("facts", {}))
    published = facts.public_notice
    if published is None:
        raise Conflict("the case has not reached its public notice")
    if published.notice_no is not None:
        shares = await fund_repo.notice_shares(session, case_id=case_id, notice_no=published.notice_no)
    else:  # a case from before the shares were stored with the notice: the registry's areas now
        areas = await fund_repo.household_areas(session, record.estate_id or "", facts.affected_scope.value, facts.scope_id)
        shares = shares_for(published.settlement_fen, areas)
    return NoticeRead(
        case_id=case_id, settlement_fen=published.settlement_fen, start=published.start, end=published.end,
        households=len(shares), shares=[NoticeShare(household_id=h, share_fen=s) for h, s in shares.items()],
        frozen=published.notice_no is not None,
    )
