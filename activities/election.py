"""Activities of the committee election: context, eligibility, the roll, the tally, the registry."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.estates import known_estate
from db.repositories import cases as cases_repo
from db.repositories import committee as committee_repo
from db.repositories import election as election_repo
from db.repositories.election import recount
from db.session import transaction
from domain.election import PROCESS_KIND, Candidate
from domain.election_checks import eligibility_findings
from domain.rules import ELECTION, ElectionRules
from domain.tally import CandidateEntry, TallyResult


class EstateRequest(BaseModel):
    estate_id: str


class ElectionContext(BaseModel):
    """What the workflow needs about the estate: its place in the city, its size, its current body."""

    estate_name: str
    street_id: str
    community_id: str
    households: int
    area_hundredths: int
    headcount: int
    body: str
    term_end: datetime | None = None


class CandidateCheckRequest(BaseModel):
    estate_id: str
    candidates: list[Candidate]
    at: datetime


class OpenVotingRequest(BaseModel):
    case_id: str
    estate_id: str
    attempt: int
    seats: int
    candidates: list[CandidateEntry]
    at: datetime
    # The end of the voting period; absent in requests recorded before it was stored.
    closes_at: datetime | None = None

    @property
    def election_id(self) -> str:
        return f"{self.case_id}:{self.attempt}"


class VotingOpened(BaseModel):
    election_id: str
    voters: int
    total_area_hundredths: int
    total_headcount: int


class TallyRequest(BaseModel):
    election_id: str
    at: datetime
    rules: ElectionRules = ELECTION


class FailedAttemptsRequest(BaseModel):
    estate_id: str
    failed: int
    at: datetime


class ActingBodyRequest(BaseModel):
    estate_id: str
    community_id: str
    at: datetime


class RegisterCommitteeRequest(BaseModel):
    estate_id: str
    case_id: str
    members: list[dict[str, Any]]
    seats: int
    term_start: datetime
    term_end: datetime
    # When the term's timer starts the re-election and the date its vote must close by (潍坊 Art. 40);
    # absent in requests recorded before the registry kept them.
    reelection_starts_at: datetime | None = None
    reelection_vote_by: datetime | None = None


class CertificateRequest(BaseModel):
    estate_id: str
    case_id: str
    certificate_no: str
    at: datetime


class ReelectionClaim(BaseModel):
    """The term timer's request to start the re-election of the term ending at ``term_end``."""

    estate_id: str
    term_end: datetime
    at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


class ElectionActivities:
    """Built once by the worker with the session factory."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    @activity.defn(name="election_context")
    async def load_context(self, request: EstateRequest) -> ElectionContext:
        """The estate's street, community, size and the body acting for its owners now."""
        async with self._sessions() as session:
            estate = await known_estate(session, request.estate_id)
            roll = await election_repo.estate_roll(session, request.estate_id)
            if not roll:
                raise ApplicationError("the estate has no households", type="EmptyEstate", non_retryable=True)
            reg = await committee_repo.registry(session, request.estate_id)
            return ElectionContext(
                estate_name=estate.name, street_id=estate.street_id, community_id=estate.community_id,
                households=len(roll), area_hundredths=sum(v.area_hundredths for v in roll),
                headcount=len({v.owner_key for v in roll}), body=reg.body if reg else committee_repo.NO_BODY,
                term_end=reg.term_end if reg else None,
            )

    @activity.defn(name="election_check_candidates")
    async def check_candidates(self, request: CandidateCheckRequest) -> dict[str, list[str]]:
        """Each nominee against the registry: owner of record, natural person, no arrears, no overdue top-up."""
        async with self._sessions() as session:
            facts = await election_repo.candidate_facts(
                session, request.estate_id, [(c.id, c.household_id) for c in request.candidates], request.at,
            )
        by_id = {c.id: c for c in request.candidates}
        return {f.candidate_id: eligibility_findings(by_id[f.candidate_id], f) for f in facts}

    @activity.defn(name="election_open_voting")
    async def open_voting(self, request: OpenVotingRequest) -> VotingOpened:
        """Create the attempt and freeze the roll; from now on the API takes ballots for it."""
        async with transaction(self._sessions) as session:
            e = await election_repo.open_election(
                session, election_id=request.election_id, case_id=request.case_id, estate_id=request.estate_id,
                attempt=request.attempt, seats=request.seats,
                candidates=[c.model_dump() for c in request.candidates], at=request.at, closes_at=request.closes_at,
            )
            return VotingOpened(election_id=e.id, voters=e.voters, total_area_hundredths=e.total_area_hundredths,
                                total_headcount=e.total_headcount)

    @activity.defn(name="election_tally")
    async def tally(self, request: TallyRequest) -> TallyResult:
        """Close the ballot box and count it; the result is stored with its inputs, once."""
        async with transaction(self._sessions) as session:
            e = await election_repo.election(session, request.election_id)
            if e is None:
                raise ApplicationError(f"no election {request.election_id}", type="UnknownElection", non_retryable=True)
            if e.result is not None:
                return TallyResult.model_validate(e.result)
            # Closing first: on PostgreSQL this waits for ballot writers holding the row, and later
            # writers find the attempt closed, so the count below is final.
            await election_repo.close_election(session, e.id, request.at)
            result = await recount(session, e.id, rules=request.rules)
            await election_repo.store_result(session, e.id, result.model_dump(mode="json"), _now())
            return result

    @activity.defn(name="election_failed_attempts")
    async def record_failed_attempts(self, request: FailedAttemptsRequest) -> None:
        async with transaction(self._sessions) as session:
            await committee_repo.record_failed_attempts(session, request.estate_id, request.failed, request.at)

    @activity.defn(name="election_appoint_acting_body")
    async def appoint_acting_body(self, request: ActingBodyRequest) -> None:
        """Two failed attempts: the residents' committee chairs a 物业管理委员会 (潍坊 Arts. 41–43)."""
        async with transaction(self._sessions) as session:
            await committee_repo.appoint_acting_body(session, estate_id=request.estate_id, community_id=request.community_id, at=request.at)

    @activity.defn(name="election_register_committee")
    async def register_committee(self, request: RegisterCommitteeRequest) -> bool:
        """Record the elected committee and its term; True when an acting body must hand over."""
        async with transaction(self._sessions) as session:
            _, handover = await committee_repo.record_committee(
                session, estate_id=request.estate_id, members=request.members, seats=request.seats,
                term_start=request.term_start, term_end=request.term_end, case_id=request.case_id, at=request.term_start,
                reelection_starts_at=request.reelection_starts_at, reelection_vote_by=request.reelection_vote_by,
            )
            return handover

    @activity.defn(name="election_finish_handover")
    async def finish_handover(self, request: ActingBodyRequest) -> None:
        async with transaction(self._sessions) as session:
            await committee_repo.finish_handover(session, request.estate_id, request.at)

    @activity.defn(name="election_set_certificate")
    async def set_certificate(self, request: CertificateRequest) -> None:
        async with transaction(self._sessions) as session:
            await committee_repo.set_certificate(session, request.estate_id, request.case_id, request.certificate_no, request.at)

    @activity.defn(name="election_claim_reelection")
    async def claim_reelection(self, request: ReelectionClaim) -> str | None:
        """The case id of the term's re-election, allocated once; None when the term was replaced meanwhile."""
        async with transaction(self._sessions) as session:
            reg = await committee_repo.registry(session, request.estate_id)
            if reg is not None and reg.reelection_case_id is not None and reg.term_end == request.term_end:
                return reg.reelection_case_id
            if await election_repo.active_election_case(session, request.estate_id) is not None:
                return None
            case_id = await cases_repo.new_case_id(session, PROCESS_KIND, request.estate_id, request.at)
            return await committee_repo.claim_reelection(session, request.estate_id, request.term_end, case_id, request.at)
