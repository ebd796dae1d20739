"""The owners' committee registry: the body acting for an estate's owners, its term and members.

Registering a sitting committee arms its re-election timer (潍坊 Art. 40); an election records
its own committee when it ends. A registration names owners of the estate by their units, states
its reason and document, is kept in the estate's registry audit chain, and replaces an elected
committee only when it names the election it replaces.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

from api.deps import ActorDep, ClientDep, CommitteeRegistrarDep, SessionDep, SettingsDep
from api.errors import Conflict, Forbidden, Invalid, NotFound, Unavailable
from api.schemas import Labelled
from core.registry import REGISTRY
from db.models import Estate
from db.repositories import audit as audit_repo
from db.repositories import committee as committee_repo
from db.repositories import reference as reference_repo
from db.session import after_commit, hold_write_gate
from domain.access import Actor, Scope, covers
from domain.audit import AuditEvent, committee_chain
from domain.election import PROCESS_KIND
from domain.election_checks import committee_member_errors, reelection_starts_at, reelection_vote_by, seat_errors, term_end
from domain.rules import ElectionRules
from workflows.election_term import (
    CommitteeTermInput,
    CommitteeTermWorkflow,
    term_workflow_id,
)

router = APIRouter()
BODY_LABELS = {"owners_committee": "业主委员会", "management_committee": "物业管理委员会（居委会代行）", "none": "未成立"}


class CommitteeMember(BaseModel):
    """A member: an owner of the estate, named as the registry names the owner of their unit (潍坊 Art. 34)."""

    name: str = Field(min_length=1, max_length=100)
    household_id: str = Field(min_length=1, max_length=64)
    party_member: bool = False


class CommitteeRecordCreate(BaseModel):
    """An existing committee entered into the registry; its term end arms the re-election timer."""

    members: list[CommitteeMember] = Field(min_length=1, max_length=11)
    # With an offset: a naive time cannot be compared with the other or armed as a timer (422 instead).
    term_start: AwareDatetime
    term_end: AwareDatetime
    reason: str = Field(min_length=1, max_length=500, examples=["录入系统上线前已备案的业主委员会"])
    document_ref: str = Field(min_length=1, max_length=200, description="the filing or certificate the registration rests on",
                              examples=["QZ-YWH-2024-003 备案证明"])
    # A committee an election put in the registry is replaced only by naming that election's case.
    replaces_elected_case: str | None = Field(default=None, max_length=128)


class CommitteeRegistryRead(BaseModel):
    estate_id: str
    body: Labelled
    term_start: datetime | None
    term_end: datetime | None
    # When the term's timer starts the re-election, and the date its vote must close by (潍坊 Art. 40):
    # both as the timer was armed, from the rules it was armed with.
    reelection_starts_at: datetime | None
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
                                     term_end=None, reelection_starts_at=None, reelection_due_at=None, seats=None, members=[], failed_attempts=0,
                                     acting_since=None, acting_chair=None, certificate_no=None, elected_case_id=None,
                                     reelection_case_id=None)
    return CommitteeRegistryRead(
        estate_id=estate_id, body=Labelled(code=row.body, label=BODY_LABELS.get(row.body, row.body)),
        term_start=row.term_start, term_end=row.term_end,
        reelection_starts_at=row.reelection_starts_at, reelection_due_at=row.reelection_vote_by, seats=row.seats,
        members=list(row.members), failed_attempts=row.failed_attempts, acting_since=row.acting_since,
        acting_chair=row.acting_chair, certificate_no=row.certificate_no, elected_case_id=row.elected_case_id,
        reelection_case_id=row.reelection_case_id,
    )


async def _visible_estate(session: AsyncSession, actor: Actor, estate_id: str) -> Estate:
    estate = await reference_repo.estate(session, estate_id)
    if estate is None:
        raise NotFound(f"no estate {estate_id}")
    if not covers(actor.jurisdiction, Scope(street_id=estate.street_id, community_id=estate.community_id, estate_id=estate.id)):
        raise Forbidden(f"estate {estate_id} is outside your jurisdiction")
    return estate


async def _check_registration(session: AsyncSession, estate_id: str, body: CommitteeRecordCreate, rules: ElectionRules) -> None:
    """A registration's seats, term and members as the statutes and the owner registry allow them."""
    errors = seat_errors(len(body.members), rules) + (
        [f"the term ends after it starts, within {rules.term_years_max} years"]
        if not body.term_start < body.term_end <= term_end(body.term_start, rules.term_years_max) else []
    )
    if errors:
        raise Invalid("; ".join(errors))
    units = [m.household_id for m in body.members]
    member_errors = committee_member_errors([(m.name, m.household_id) for m in body.members],
                                            await reference_repo.owners_of_record(session, estate_id, units))
    if member_errors:
        raise Invalid("every member must be an owner of the estate, named as the registry names the owner of their unit",
                      errors=member_errors)


def _registration_event(estate_id: str, body: CommitteeRecordCreate, actor: Actor, previous: dict[str, Any], at: datetime) -> AuditEvent:
    """The estate's registry keeps its own audit chain: who registered which committee, why, on what document,
    and what it replaced."""
    return AuditEvent(
        key=f"{committee_chain(estate_id)}:{uuid.uuid4()}", at=at, kind="registration", actor_subject=actor.subject,
        actor_name=actor.name, actor_role=",".join(r.value for r in actor.roles), actor_organisation=actor.organisation,
        decision="register", comment=body.reason,
        data={"document_ref": body.document_ref, "members": [m.model_dump() for m in body.members],
              "term_start": body.term_start.isoformat(), "term_end": body.term_end.isoformat(), "replaced": previous},
    )


@router.get("/owners-committees/{estate_id}", response_model=CommitteeRegistryRead,
            summary="The body acting for the estate's owners: committee, term, members, or the acting 物业管理委员会")
async def committee_registry(estate_id: str, session: SessionDep, actor: ActorDep) -> CommitteeRegistryRead:
    await _visible_estate(session, actor, estate_id)
    return _registry_read(await committee_repo.registry(session, estate_id), estate_id)


@router.put("/owners-committees/{estate_id}", response_model=CommitteeRegistryRead,
            summary="Register a sitting committee and its term; arms the re-election so that its vote closes by 90 days before the term ends")
async def register_committee(
    estate_id: str, body: CommitteeRecordCreate, session: SessionDep, actor: CommitteeRegistrarDep, client: ClientDep,
    settings: SettingsDep,
) -> CommitteeRegistryRead:
    await _visible_estate(session, actor, estate_id)
    # The rules the re-election timer is armed with are the ones the term is checked against.
    rules = REGISTRY[PROCESS_KIND].rules_for(settings.demo_periods)
    assert isinstance(rules, ElectionRules)
    await _check_registration(session, estate_id, body, rules)
    await hold_write_gate(session)
    current = await committee_repo.registry(session, estate_id)
    elected = current.elected_case_id if current is not None else None
    if elected is not None and body.replaces_elected_case != elected:
        raise Conflict(f"the committee elected in case {elected} is registered: to replace it, name that case in "
                       "replaces_elected_case, with the reason and the document", case_id=elected)
    previous = _registry_read(current, estate_id).model_dump(mode="json", include={"body", "members", "term_start", "term_end", "elected_case_id"})
    at = datetime.now(UTC)
    row, _ = await committee_repo.record_committee(
        session, estate_id=estate_id, members=[m.model_dump() for m in body.members], seats=len(body.members),
        term_start=body.term_start, term_end=body.term_end, case_id=None, at=at,
        reelection_starts_at=reelection_starts_at(body.term_end, rules), reelection_vote_by=reelection_vote_by(body.term_end, rules),
    )
    await audit_repo.append_events(session, committee_chain(estate_id), [_registration_event(estate_id, body, actor, previous, at)])

    async def arm_reelection_timer() -> None:
        try:
            # One timer per term (its id carries the term end): registering the same term again reuses it.
            await client.start_workflow(
                CommitteeTermWorkflow.run,
                CommitteeTermInput(estate_id=estate_id, term_end=body.term_end, rules=rules),
                id=term_workflow_id(estate_id, body.term_end), task_queue=settings.task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            )
        except RPCError:
            raise Unavailable("the committee was registered but its re-election timer could not be armed: send the request again") from None

    # The timer may fire at once (a term ending within 90 days) and reads the registry: arm it only
    # once the row is committed, and without holding a connection while Temporal answers.
    after_commit(session, arm_reelection_timer)
    return _registry_read(row, estate_id)
