"""业委会选举换届: start an election, nominate, object, and read the case as the caller may see it.

Ballots, tallies and recounts are in ``election_ballots``, the committee registry that arms each
re-election in ``committee_registry``; both are part of this router.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.case_service import CasePlace, case_for, estate_for_start, start_case, started_case
from api.deps import (
    ActorDep,
    BoundKeyDep,
    CaseCallDep,
    ClientDep,
    SessionDep,
    SettingsDep,
)
from api.errors import Conflict, Forbidden, Invalid
from api.owner_identity import own_households
from api.routes import committee_registry, election_ballots, election_owners
from api.routes.election_view import ORGANISERS, PREFIX, election_case
from api.schemas import CaseRead
from core.registry import REGISTRY
from db.repositories import cases as cases_repo
from db.repositories import election as election_repo
from domain.access import Role
from domain.election import (
    ELECTION_KIND_LABELS,
    PROCESS_KIND,
    ElectionStart,
    NominationChannel,
    NominationData,
    ObjectionData,
)
from domain.election_checks import first_assembly_due
from domain.rules import ElectionRules
from workflows.election_models import NominationInput, ObjectionInput

router = APIRouter(tags=["owners-election 业委会选举换届"])

NOMINATION_EXAMPLES = {
    "party": {"summary": "社区党组织推荐", "value": {"household_id": "yidu-jinxiu-b1-u1-101", "name": "业主nxiu0001",
                                                "party_member": True, "channel": "party_org"}},
    "self": {"summary": "业主自荐", "value": {"household_id": "yidu-jinxiu-b1-u1-101", "name": "业主nxiu0001", "channel": "self"}},
}


@router.post(PREFIX, response_model=CaseRead, status_code=status.HTTP_201_CREATED,
             summary="Start a first election or a re-election (Idempotency-Key makes a retry safe)")
async def start(
    body: ElectionStart, response: Response, session: SessionDep, actor: ActorDep, client: ClientDep,
    settings: SettingsDep, key: BoundKeyDep,
) -> CaseRead:
    idempotency_key = key.key if key is not None else None
    if not actor.has_any(ORGANISERS):
        raise Forbidden("only the street office or its clerk starts an election")
    estate, scope = await estate_for_start(session, actor, body.estate_id)
    rules = REGISTRY[PROCESS_KIND].rules_for(settings.demo_periods)
    assert isinstance(rules, ElectionRules)
    if not first_assembly_due(body, rules):
        raise Invalid("the first assembly is not due yet (山东 Art. 20: ≥ 50% of the area or of the owners delivered, "
                      "or 2 years since the first delivery with ≥ 25% of the owners)")
    active = await election_repo.active_election_case(session, estate.id)
    retry = idempotency_key and await cases_repo.find_start_request(session, f"start:{idempotency_key}")
    if active is not None and not retry:
        raise Conflict(f"an election is already running for this estate: {active}", case_id=active)
    place = CasePlace(scope=scope, id_key=estate.id, title=f"{estate.name} · {ELECTION_KIND_LABELS[body.kind]}")
    case_id, created = await start_case(
        REGISTRY[PROCESS_KIND], body, actor, idempotency_key, session=session, client=client, settings=settings, place=place,
    )
    return await started_case(session, settings, response, case_id, created)



@router.post(f"{PREFIX}/{{case_id}}/nominations", response_model=CaseRead,
             summary="Nominate a candidate: community Party organisation, residents' committee, or owners (潍坊 Art. 35)",
             openapi_extra={"requestBody": {"content": {"application/json": {"examples": NOMINATION_EXAMPLES}}}})
async def nominate(case_id: str, body: NominationData, call: CaseCallDep) -> CaseRead:
    record = await election_case(call.session, call.actor, case_id)
    if body.channel == NominationChannel.SELF and call.actor.has_any([Role.OWNER]):
        owned = await own_households(call.session, call.actor, record.estate_id or "")
        if body.household_id not in owned:
            raise Forbidden("a self-nomination is for one of your own units")
    payload = NominationInput(data=body, actor=call.actor)
    return await call.update(case_id, "nominate", payload, {"decision": "nominate", "step": "nomination", "data": body.model_dump(mode="json")})


@router.post(f"{PREFIX}/{{case_id}}/objections", response_model=CaseRead,
             summary="Object to an owner's identity, a vote weight or a candidate during the notice (山东 Art. 22)")
async def object_to_notice(case_id: str, body: ObjectionData, call: CaseCallDep) -> CaseRead:
    await election_case(call.session, call.actor, case_id)
    payload = ObjectionInput(data=body, actor=call.actor)
    return await call.update(case_id, "object", payload, {"decision": "object", "step": "candidate_notice"})


@router.get(f"{PREFIX}/{{case_id}}", response_model=CaseRead,
            summary="An election case; owners see candidates' names and outcomes, not others' findings or objectors")
async def read_election(case_id: str, session: SessionDep, actor: ActorDep, settings: SettingsDep) -> CaseRead:
    return await case_for(session, settings, actor, await election_case(session, actor, case_id))


# After this module's own routes, in the order the API has always listed them.
router.include_router(election_ballots.router)
router.include_router(committee_registry.router)
router.include_router(election_owners.router)
