"""业委会选举换届: start an election, nominate, object, cast ballots, check a ballot, audit the tally,
and the committee registry that arms each re-election."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Annotated, Any

from sqlalchemy.ext.asyncio import AsyncSession
from fastapi import APIRouter, Body, Response, status
from pydantic import AwareDatetime, BaseModel, Field
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

from api.case_service import CasePlace, estate_for_start, load_visible_case, read_snapshot, start_case, started_case
from api.deps import (
    ActorDep,
    BallotClerkDep,
    CaseCallDep,
    ClientDep,
    CommitteeRegistrarDep,
    IdempotencyKey,
    RecounterDep,
    SessionDep,
    SettingsDep,
    VotingOwnerDep,
)
from api.errors import Conflict, Forbidden, Invalid, NotFound, Unavailable
from core.registry import REGISTRY
from api.read_policy import ReadPolicy
from api.schemas import CaseRead, Labelled
from db.models import CaseRecord, Election
from db.session import after_commit, hold_write_gate
from db.repositories import cases as cases_repo
from db.repositories import election as election_repo
from db.repositories import reference as reference_repo
from domain.access import Actor, Role, Scope, covers
from domain.cases import CaseSnapshot
from domain.election import ELECTION_KIND_LABELS, PROCESS_KIND, ElectionStart, NominationChannel, NominationData, ObjectionData
from domain.election_ballots import BallotLine, Channel
from domain.election_checks import first_assembly_due, seat_errors, term_end
from domain.rules import ELECTION, ELECTION_DEMO, ElectionRules
from domain.tally import TallyResult
from workflows.election_models import NominationInput, ObjectionInput
from workflows.election_term import CommitteeTermInput, CommitteeTermWorkflow, term_workflow_id

router = APIRouter(tags=["owners-election 业委会选举换届"])
PREFIX = "/cases/owners-election"
ORGANISERS = (Role.CLERK, Role.STREET_OFFICE)
RECEIPT_READERS = (Role.CLERK, Role.STREET_OFFICE, Role.AUDITOR, Role.HOUSING_BUREAU)
BODY_LABELS = {"owners_committee": "业主委员会", "management_committee": "物业管理委员会（居委会代行）", "none": "未成立"}

NOMINATION_EXAMPLES = {
    "party": {"summary": "社区党组织推荐", "value": {"household_id": "yidu-jinxiu-b1-u1-101", "name": "业主nxiu0001",
                                                "party_member": True, "channel": "party_org"}},
    "self": {"summary": "业主自荐", "value": {"household_id": "yidu-jinxiu-b1-u1-101", "name": "业主nxiu0001", "channel": "self"}},
}


# Who reads every candidate's registry findings and every objector's identity: the organisers and
# supervisors of the election. Owners see names and outcomes only (个人信息保护法 Arts. 6, 28).
OFFICIALS = (Role.CLERK, Role.STREET_OFFICE, Role.COMMUNITY, Role.HOUSING_BUREAU, Role.BUREAU_SUPERVISOR,
             Role.AUDITOR, Role.ADMIN)
CANDIDATE_PRIVATE = ("findings", "reason", "co_nominators", "nominated_by", "nominated_by_name")
OBJECTOR_PRIVATE = ("by", "name", "household_id")


def public_facts(facts: dict[str, Any], actor: Actor, own_units: set[str]) -> dict[str, Any]:
    """The facts without others' findings, rejection reasons and objectors' identities, for non-officials."""
    if actor.has_any(OFFICIALS):
        return facts
    out = dict(facts)
    if "candidates" in out:
        # A rejection's reason is for the candidate it concerns (the owner of the nominated unit).
        out["candidates"] = [
            c if c.get("household_id") in own_units else {k: v for k, v in c.items() if k not in CANDIDATE_PRIVATE}
            for c in out["candidates"]
        ]
    if "objections" in out:
        out["objections"] = [
            o if o.get("by") == actor.subject else {k: v for k, v in o.items() if k not in OBJECTOR_PRIVATE}
            for o in out["objections"]
        ]
    return out


async def _own_units(session, actor: Actor, record: CaseRecord) -> set[str]:  # type: ignore[no-untyped-def]
    if actor.has_any(OFFICIALS):
        return set()
    return set(await election_repo.owner_households(session, record.estate_id or "", actor.subject))


def _filtered(case: CaseRead, actor: Actor, own_units: set[str]) -> CaseRead:
    return case.model_copy(update={"facts": public_facts(case.facts, actor, own_units)})


async def filtered_view(session: AsyncSession, actor: Actor, record: CaseRecord, case: CaseRead) -> CaseRead:
    """The election case as ``actor`` may see it (used by the generic case route too)."""
    return _filtered(case, actor, await _own_units(session, actor, record))


class ElectionReadPolicy(ReadPolicy):
    """Owners see their own candidate findings and objections, not other owners'."""

    async def view(self, session: AsyncSession, actor: Actor, record: CaseRecord, case: CaseRead) -> CaseRead:
        return await filtered_view(session, actor, record, case)


READ_POLICY = ElectionReadPolicy()


def _rules(record: CaseRecord) -> ElectionRules:
    """The rules the case runs under, as it recorded them."""
    return ElectionRules.model_validate(record.snapshot.get("facts", {}).get("rules") or ELECTION.model_dump())


async def _election_case(session, actor: Actor, case_id: str) -> CaseRecord:  # type: ignore[no-untyped-def]
    record = await load_visible_case(session, actor, case_id)
    if record.kind != PROCESS_KIND:
        raise NotFound(f"{case_id} is not an owners' committee election")
    return record


@router.post(PREFIX, response_model=CaseRead, status_code=status.HTTP_201_CREATED,
             summary="Start a first election or a re-election (Idempotency-Key makes a retry safe)")
async def start(
    body: ElectionStart, response: Response, session: SessionDep, actor: ActorDep, client: ClientDep,
    settings: SettingsDep, idempotency_key: IdempotencyKey = None,
) -> CaseRead:
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
    record = await _election_case(call.session, call.actor, case_id)
    if body.channel == NominationChannel.SELF and call.actor.has_any([Role.OWNER]):
        owned = await election_repo.owner_households(call.session, record.estate_id or "", call.actor.subject)
        if body.household_id not in owned:
            raise Forbidden("a self-nomination is for one of your own units")
    own = await _own_units(call.session, call.actor, record)
    payload = NominationInput(data=body, actor=call.actor)
    case = await call.update(case_id, "nominate", payload, {"decision": "nominate", "step": "nomination", "data": body.model_dump(mode="json")})
    return _filtered(case, call.actor, own)


@router.post(f"{PREFIX}/{{case_id}}/objections", response_model=CaseRead,
             summary="Object to an owner's identity, a vote weight or a candidate during the notice (山东 Art. 22)")
async def object_to_notice(case_id: str, body: ObjectionData, call: CaseCallDep) -> CaseRead:
    record = await _election_case(call.session, call.actor, case_id)
    own = await _own_units(call.session, call.actor, record)
    payload = ObjectionInput(data=body, actor=call.actor)
    case = await call.update(case_id, "object", payload, {"decision": "object", "step": "candidate_notice"})
    return _filtered(case, call.actor, own)


@router.get(f"{PREFIX}/{{case_id}}", response_model=CaseRead,
            summary="An election case; owners see candidates' names and outcomes, not others' findings or objectors")
async def read_election(case_id: str, session: SessionDep, actor: ActorDep, settings: SettingsDep) -> CaseRead:
    record = await _election_case(session, actor, case_id)
    case = read_snapshot(settings, CaseSnapshot.model_validate(record.snapshot))
    return _filtered(case, actor, await _own_units(session, actor, record))


class PaperBallotBatch(BaseModel):
    """Written ballots (书面表决票) entered by a clerk: all lines are stored, or none."""

    ballots: list[BallotLine] = Field(min_length=1, max_length=5000)


class ElectronicBallot(BaseModel):
    """An owner's own electronic ballot; without ``household_ids`` it covers every unit they own."""

    choices: list[str] = Field(max_length=11, examples=[["c1", "c2", "c3", "c4", "c5"]])
    household_ids: list[str] | None = Field(default=None, max_length=50)


class BallotBatchRead(BaseModel):
    election_id: str
    attempt: int
    batch_id: str
    accepted: int
    receipts: dict[str, str]
    repeated: bool = False


PAPER_EXAMPLE = {"paper": {"summary": "两张书面表决票，一张由受托业主代签", "value": {"ballots": [
    {"household_id": "yidu-jinxiu-b1-u1-101", "choices": ["c1", "c2", "c3", "c4", "c5"]},
    {"household_id": "yidu-jinxiu-b1-u1-102", "choices": ["c1", "c3"], "proxy_owner_key": "owner-jinxiu-0101"},
]}}}


async def _store(
    call: CaseCallDep, record: CaseRecord, lines: list[BallotLine], channel: Channel, election: Election | None = None,
) -> BallotBatchRead:
    session = call.session
    election = election or await election_repo.lock_open_election(session, record.id)
    if election is None:
        raise Conflict("voting is not open for this election")
    batch_id = f"{call.actor.subject}:{call.idempotency_key}" if call.idempotency_key else uuid.uuid4().hex
    if call.idempotency_key and (done := await election_repo.batch_receipts(session, election.id, batch_id)):
        return BallotBatchRead(election_id=election.id, attempt=election.attempt, batch_id=batch_id,
                               accepted=len(done), receipts=done, repeated=True)
    # SQLite: ballots of one API process queue here until their commit, not in SQLite's busy sleep.
    await hold_write_gate(session)
    receipts, errors = await election_repo.record_ballots(
        session, election=election, lines=lines, channel=channel.value, entered_by=call.actor.subject,
        batch_id=batch_id, at=datetime.now(timezone.utc), rules=_rules(record),
    )
    if errors:
        problem = Conflict if any(e.conflict for e in errors) else Invalid
        raise problem(f"{len(errors)} line(s) refused; nothing was stored",
                      errors=[e.model_dump() for e in errors])
    return BallotBatchRead(election_id=election.id, attempt=election.attempt, batch_id=batch_id, accepted=len(receipts), receipts=receipts)


@router.post(f"{PREFIX}/{{case_id}}/ballots/paper", response_model=BallotBatchRead, status_code=status.HTTP_201_CREATED,
             summary="A clerk enters a batch of written ballots: all or nothing, one vote per unit",
             openapi_extra={"requestBody": {"content": {"application/json": {"examples": PAPER_EXAMPLE}}}})
async def paper_ballots(case_id: str, body: PaperBallotBatch, clerk: BallotClerkDep, call: CaseCallDep) -> BallotBatchRead:
    record = await _election_case(call.session, clerk, case_id)
    return await _store(call, record, body.ballots, Channel.PAPER)


@router.post(f"{PREFIX}/{{case_id}}/ballots/electronic", response_model=BallotBatchRead, status_code=status.HTTP_201_CREATED,
             summary="An owner casts their own electronic ballot for their units")
async def electronic_ballot(
    case_id: str, body: Annotated[ElectronicBallot, Body(openapi_examples={"owner": {"value": {"choices": ["c1", "c2", "c3"]}}})],
    owner: VotingOwnerDep, call: CaseCallDep,
) -> BallotBatchRead:
    record = await _election_case(call.session, owner, case_id)
    election = await election_repo.lock_open_election(call.session, record.id)
    if election is None:
        raise Conflict("voting is not open for this election")
    own = await election_repo.households_of_owner_on_roll(call.session, election.id, owner.subject)
    units = body.household_ids or own
    if not units or any(h not in own for h in units):
        raise Forbidden("you can vote only for units registered to you on this election's roll")
    lines = [BallotLine(household_id=h, choices=body.choices) for h in units]
    return await _store(call, record, lines, Channel.ELECTRONIC, election)


class BallotReceiptRead(BaseModel):
    household_id: str
    election_id: str
    attempt: int
    recorded: bool
    channel: Labelled | None = None
    cast_at: datetime | None = None
    receipt: str | None = None
    choices: list[str] | None = Field(default=None, description="shown to the unit's owner only")


@router.get(f"{PREFIX}/{{case_id}}/ballots/{{household_id}}", response_model=BallotReceiptRead,
            summary="Check that a unit's ballot was recorded (the owner, clerks, auditors)")
async def ballot_receipt(case_id: str, household_id: str, session: SessionDep, actor: ActorDep, attempt: int | None = None) -> BallotReceiptRead:
    record = await _election_case(session, actor, case_id)
    attempts = await election_repo.elections_of_case(session, record.id)
    chosen = [e for e in attempts if attempt is None or e.attempt == attempt]
    if not chosen:
        raise NotFound("no voting has been held for this election yet")
    election = chosen[-1]
    voter = await election_repo.frozen_roll(session, election.id, [household_id])
    if not voter:
        raise NotFound(f"{household_id} is not on this election's roll")
    is_owner = actor.has_any([Role.OWNER]) and voter[0].owner_key == actor.subject
    if not is_owner and not actor.has_any(RECEIPT_READERS):
        raise Forbidden("only the unit's owner, clerks and auditors can check this ballot")
    ballot = await election_repo.ballot_of(session, election.id, household_id)
    if ballot is None:
        return BallotReceiptRead(household_id=household_id, election_id=election.id, attempt=election.attempt, recorded=False)
    return BallotReceiptRead(
        household_id=household_id, election_id=election.id, attempt=election.attempt, recorded=True,
        channel=Labelled(code=ballot.channel, label={"paper": "书面表决票", "electronic": "电子投票"}[ballot.channel]),
        cast_at=ballot.cast_at, receipt=ballot.receipt, choices=list(ballot.choices) if is_owner else None,
    )


class AttemptRead(BaseModel):
    election_id: str
    attempt: int
    status: str
    voters: int
    ballots: int
    opened_at: datetime
    closed_at: datetime | None
    result: TallyResult | None


class RecountRead(BaseModel):
    election_id: str
    identical: bool
    stored: TallyResult
    recounted: TallyResult


@router.get(f"{PREFIX}/{{case_id}}/tally", response_model=list[AttemptRead], summary="Each voting attempt and its stored result")
async def tally(case_id: str, session: SessionDep, actor: ActorDep) -> list[AttemptRead]:
    record = await _election_case(session, actor, case_id)
    out = []
    for e in await election_repo.elections_of_case(session, record.id):
        out.append(AttemptRead(
            election_id=e.id, attempt=e.attempt, status=e.status, voters=e.voters,
            ballots=await election_repo.ballot_count(session, e.id), opened_at=e.opened_at, closed_at=e.closed_at,
            result=TallyResult.model_validate(e.result) if e.result else None,
        ))
    return out


@router.get(f"{PREFIX}/{{case_id}}/tally/{{attempt}}/recount", response_model=RecountRead,
            summary="An auditor recounts an attempt from the stored ballots and compares it with the recorded result")
async def recount_attempt(case_id: str, attempt: int, session: SessionDep, actor: RecounterDep) -> RecountRead:
    record = await _election_case(session, actor, case_id)
    election = next((e for e in await election_repo.elections_of_case(session, record.id) if e.attempt == attempt), None)
    if election is None or election.result is None:
        raise NotFound(f"attempt {attempt} has no recorded result")
    stored = TallyResult.model_validate(election.result)
    recounted = await election_repo.recount(session, election.id, rules=_rules(record))
    return RecountRead(election_id=election.id, identical=stored == recounted, stored=stored, recounted=recounted)


class CommitteeMember(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    household_id: str | None = Field(default=None, max_length=64)
    party_member: bool = False


class CommitteeRecordCreate(BaseModel):
    """An existing committee entered into the registry; its term end arms the re-election timer."""

    members: list[CommitteeMember] = Field(min_length=1, max_length=11)
    # With an offset: a naive time cannot be compared with the other or armed as a timer (422 instead).
    term_start: AwareDatetime
    term_end: AwareDatetime


class CommitteeRegistryRead(BaseModel):
    estate_id: str
    body: Labelled
    term_start: datetime | None
    term_end: datetime | None
    reelection_due_at: datetime | None
    seats: int | None
    members: list[dict[str, Any]]
    failed_attempts: int
    acting_since: datetime | None
    acting_chair: str | None
    certificate_no: str | None
    elected_case_id: str | None
    reelection_case_id: str | None


def _registry_read(row: Any, estate_id: str) -> CommitteeRegistryRead:
    if row is None:
        return CommitteeRegistryRead(estate_id=estate_id, body=Labelled(code="none", label=BODY_LABELS["none"]), term_start=None,
                                     term_end=None, reelection_due_at=None, seats=None, members=[], failed_attempts=0,
                                     acting_since=None, acting_chair=None, certificate_no=None, elected_case_id=None,
                                     reelection_case_id=None)
    return CommitteeRegistryRead(
        estate_id=estate_id, body=Labelled(code=row.body, label=BODY_LABELS.get(row.body, row.body)),
        term_start=row.term_start, term_end=row.term_end,
        reelection_due_at=row.term_end - ELECTION.reelection_lead if row.term_end else None, seats=row.seats,
        members=list(row.members), failed_attempts=row.failed_attempts, acting_since=row.acting_since,
        acting_chair=row.acting_chair, certificate_no=row.certificate_no, elected_case_id=row.elected_case_id,
        reelection_case_id=row.reelection_case_id,
    )


async def _visible_estate(session, actor: Actor, estate_id: str):  # type: ignore[no-untyped-def]
    estate = await reference_repo.estate(session, estate_id)
    if estate is None:
        raise NotFound(f"no estate {estate_id}")
    if not covers(actor.jurisdiction, Scope(street_id=estate.street_id, community_id=estate.community_id, estate_id=estate.id)):
        raise Forbidden(f"estate {estate_id} is outside your jurisdiction")
    return estate


@router.get("/owners-committees/{estate_id}", response_model=CommitteeRegistryRead,
            summary="The body acting for the estate's owners: committee, term, members, or the acting 物业管理委员会")
async def committee_registry(estate_id: str, session: SessionDep, actor: ActorDep) -> CommitteeRegistryRead:
    await _visible_estate(session, actor, estate_id)
    return _registry_read(await election_repo.registry(session, estate_id), estate_id)


@router.put("/owners-committees/{estate_id}", response_model=CommitteeRegistryRead,
            summary="Register a sitting committee and its term; arms the re-election 90 days before the term ends")
async def register_committee(
    estate_id: str, body: CommitteeRecordCreate, session: SessionDep, actor: CommitteeRegistrarDep, client: ClientDep,
    settings: SettingsDep,
) -> CommitteeRegistryRead:
    await _visible_estate(session, actor, estate_id)
    errors = seat_errors(len(body.members)) + (
        ["the term ends after it starts, within 5 years"]
        if not body.term_start < body.term_end <= term_end(body.term_start, ELECTION.term_years_max) else []
    )
    if errors:
        raise Invalid("; ".join(errors))
    await hold_write_gate(session)
    row, _ = await election_repo.record_committee(
        session, estate_id=estate_id, members=[m.model_dump() for m in body.members], seats=len(body.members),
        term_start=body.term_start, term_end=body.term_end, case_id=None, at=datetime.now(timezone.utc),
    )

    async def arm_reelection_timer() -> None:
        try:
            # One timer per term (its id carries the term end): registering the same term again reuses it.
            await client.start_workflow(
                CommitteeTermWorkflow.run,
                CommitteeTermInput(estate_id=estate_id, term_end=body.term_end, rules=ELECTION_DEMO if settings.demo_periods else ELECTION),
                id=term_workflow_id(estate_id, body.term_end), task_queue=settings.task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            )
        except RPCError:
            raise Unavailable("the committee was registered but its re-election timer could not be armed: send the request again") from None

    # The timer may fire at once (a term ending within 90 days) and reads the registry: arm it only
    # once the row is committed, and without holding a connection while Temporal answers.
    after_commit(session, arm_reelection_timer)
    return _registry_read(row, estate_id)
