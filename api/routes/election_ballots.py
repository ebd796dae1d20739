"""业委会选举换届 ballots: written batches and electronic ballots, receipts, and each attempt's tally and recount.

Ballots never pass through the workflow: they go straight into ``ballots``, whose unique key
gives one vote per unit; the tally activity counts them when the voting period closes.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, status
from pydantic import BaseModel, Field

from api.deps import ActorDep, BallotClerkDep, CaseCallDep, RecounterDep, SessionDep, VotingOwnerDep
from api.errors import Conflict, Forbidden, Invalid, NotFound
from api.owner_identity import owner_key
from api.routes.election_view import PREFIX, case_rules, election_case
from api.schemas import Labelled
from db.models import CaseRecord, Election
from db.repositories import election as election_repo
from db.session import hold_write_gate
from domain.access import Role
from domain.election_ballots import BallotLine, Channel
from domain.tally import TallyResult

router = APIRouter()
RECEIPT_READERS = (Role.CLERK, Role.STREET_OFFICE, Role.AUDITOR, Role.HOUSING_BUREAU)


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
        batch_id=batch_id, at=datetime.now(UTC), rules=case_rules(record),
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
    record = await election_case(call.session, clerk, case_id)
    return await _store(call, record, body.ballots, Channel.PAPER)


@router.post(f"{PREFIX}/{{case_id}}/ballots/electronic", response_model=BallotBatchRead, status_code=status.HTTP_201_CREATED,
             summary="An owner casts their own electronic ballot for their units")
async def electronic_ballot(
    case_id: str, body: Annotated[ElectronicBallot, Body(openapi_examples={"owner": {"value": {"choices": ["c1", "c2", "c3"]}}})],
    owner: VotingOwnerDep, call: CaseCallDep,
) -> BallotBatchRead:
    record = await election_case(call.session, owner, case_id)
    election = await election_repo.lock_open_election(call.session, record.id)
    if election is None:
        raise Conflict("voting is not open for this election")
    key = await owner_key(call.session, owner)
    own = await election_repo.households_of_owner_on_roll(call.session, election.id, key) if key is not None else []
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
    record = await election_case(session, actor, case_id)
    attempts = await election_repo.elections_of_case(session, record.id)
    chosen = [e for e in attempts if attempt is None or e.attempt == attempt]
    if not chosen:
        raise NotFound("no voting has been held for this election yet")
    election = chosen[-1]
    voter = await election_repo.frozen_roll(session, election.id, [household_id])
    if not voter:
        raise NotFound(f"{household_id} is not on this election's roll")
    is_owner = actor.has_any([Role.OWNER]) and voter[0].owner_key == await owner_key(session, actor)
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
    record = await election_case(session, actor, case_id)
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
    record = await election_case(session, actor, case_id)
    election = next((e for e in await election_repo.elections_of_case(session, record.id) if e.attempt == attempt), None)
    if election is None or election.result is None:
        raise NotFound(f"attempt {attempt} has no recorded result")
    stored = TallyResult.model_validate(election.result)
    recounted = await election_repo.recount(session, election.id, rules=case_rules(record))
    return RecountRead(election_id=election.id, identical=stored == recounted, stored=stored, recounted=recounted)

