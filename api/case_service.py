"""The API's side of a case: start it, send it a decision, read it; Temporal errors mapped once."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import structlog
from fastapi import Response, status
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, TemporalError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api.errors import Conflict, Forbidden, Invalid, Problem, Unavailable
from api.idempotency import KeyUse
from api.read_policy import case_scope, policy_for, readable_case
from api.schemas import ActorRead, CaseRead, Labelled, TimelineEntry, case_read, decision_l
from api.start_identity import START_MEMO, StartToken, start_token, workflow_owner
from api.update_failures import log_refusal, resync_read_model, rpc_failed
from core.registry import ProcessSpec, StartArgs, process_label, start_search_attributes, step_label
from core.settings import Settings
from db.models import CaseRecord, Estate
from db.repositories import audit as audit_repo
from db.repositories import cases as cases_repo
from db.repositories import idempotency as idempotency_repo
from db.repositories import reference as reference_repo
from domain.access import ROLE_LABELS, Actor, Level, Role, Scope, covers
from domain.audit import withdrawn_by
from domain.cases import CaseAck, CaseSnapshot, CaseStatus
from domain.read_access import in_jurisdiction

log = structlog.get_logger("api.cases")

REFUSALS: dict[str, type[Problem]] = {
    "Refused.forbidden": Forbidden,
    "Refused.conflict": Conflict,
    "Refused.invalid": Invalid,
}


def workflow_url(settings: Settings, case_id: str) -> str:
    """The case in Temporal's Web UI."""
    return f"{settings.temporal_ui_url}/namespaces/{settings.temporal_namespace}/workflows/{case_id}"


def read_snapshot(settings: Settings, snap: CaseSnapshot) -> CaseRead:
    """The API's view of a workflow's snapshot, with labels and the Web UI link."""
    return case_read(snap, process_label(snap.kind), workflow_url(settings, snap.case_id))


@dataclass(frozen=True)
class CasePlace:
    """Where a new case sits: its scope in the city, the key its id carries (the estate) and its title."""

    scope: Scope
    id_key: str
    title: str


async def estate_for_start(session: AsyncSession, actor: Actor, estate_id: str, *, company_ok: bool = False) -> tuple[Estate, Scope]:
    """The estate a new case concerns and its place in the city; 422 if unknown, 403 outside the jurisdiction.

    ``company_ok``: the estate's own property company may start the case too.
    """
    estate = await reference_repo.estate(session, estate_id)
    if estate is None:
        raise Invalid(f"unknown estate {estate_id}", errors=[{"loc": ["body", "estate_id"], "msg": "unknown estate", "type": "value_error"}])
    scope = Scope(street_id=estate.street_id, community_id=estate.community_id, estate_id=estate.id)
    own_company = company_ok and actor.jurisdiction.level == Level.COMPANY and actor.jurisdiction.id == estate.property_company_id
    if not (covers(actor.jurisdiction, scope) or own_company):
        raise Forbidden(f"estate {estate.id} is outside your jurisdiction")
    return estate, scope


def can_see(actor: Actor, record: CaseRecord) -> bool:
    """The case is inside the actor's jurisdiction, or names the actor's company (its process may say more: ``can_read``)."""
    return in_jurisdiction(actor, case_scope(record), record.company_ids.split())


async def load_visible_case(session: AsyncSession, actor: Actor, case_id: str, *, snapshot: bool = True) -> CaseRecord:
    """The case if its read policy lets the actor read it, else 404 as for an unknown id; ``snapshot=False`` leaves its JSON unread."""
    return await readable_case(session, actor, case_id, snapshot=snapshot)


async def case_for(session: AsyncSession, settings: Settings, actor: Actor, record: CaseRecord, snap: CaseSnapshot | None = None) -> CaseRead:
    """The case (as stored, or ``snap``) as its read policy lets ``actor`` see it."""
    snap = snap if snap is not None else CaseSnapshot.model_validate(record.snapshot)
    return read_snapshot(settings, await policy_for(record.kind).view(session, actor, record, snap))


START_ATTEMPTS = 10  # ids tried when the counter hands out ids Temporal already holds (a restored database)


async def _register_start(
    spec: ProcessSpec, actor: Actor, idempotency_key: str | None, *, session: AsyncSession, place: CasePlace, now: datetime,
    retried: bool = False,
) -> tuple[str, bool]:
    """The case id a start uses: the one its idempotency key registered before, or a new one with its first summary row.

    Simultaneous starts with one key (a client's retries) meet at the start request's key: one
    registers the case, the others (refused at the insert) answer with it.
    """
    earlier = await cases_repo.find_start_request(session, f"start:{idempotency_key}") if idempotency_key else None
    if earlier is not None:
        if earlier.actor_subject != actor.subject:
            raise Conflict("this Idempotency-Key was used by someone else")
        return earlier.case_id, False
    case_id = await _fresh_case_id(spec, session=session, place=place, now=now)
    if idempotency_key:
        try:
            await cases_repo.record_start_request(session, f"start:{idempotency_key}", case_id, actor, now)
        except IntegrityError:  # the same key registered by a concurrent request meanwhile: read it (once)
            if retried:
                raise
            await session.rollback()
            return await _register_start(spec, actor, idempotency_key, session=session, place=place, now=now, retried=True)
    await _open_case_row(spec, actor, case_id, session=session, place=place, now=now)
    return case_id, True


async def _fresh_case_id(spec: ProcessSpec, *, session: AsyncSession, place: CasePlace, now: datetime) -> str:
    """The counter's next id that no summary row holds yet (a counter restored behind its rows moves past them)."""
    for _ in range(START_ATTEMPTS):
        case_id = await cases_repo.new_case_id(session, spec.kind, place.id_key, now)
        if not await cases_repo.case_row_exists(session, case_id):
            return case_id
        log.warning("case id counter behind the stored cases: skipping an id in use", case_id=case_id, kind=spec.kind)
    raise Unavailable(f"no free {spec.kind} case id after {START_ATTEMPTS} attempts: move the case counter on (deploy/README.md)")


async def _open_case_row(spec: ProcessSpec, actor: Actor, case_id: str, *, session: AsyncSession, place: CasePlace, now: datetime) -> None:
    # The first summary row exists before the workflow runs, so the case is readable at once.
    placeholder = CaseSnapshot(
        case_id=case_id, kind=spec.kind, title=place.title, status=CaseStatus.ACTIVE, step=spec.first_step,
        step_label=spec.first_step_label, scope=place.scope, initiator=actor, created_at=now, updated_at=now, version=-1,
    )
    await cases_repo.save_snapshot(session, placeholder)
    await session.commit()


async def _reallocate(
    spec: ProcessSpec, actor: Actor, idempotency_key: str | None, taken: str, *, session: AsyncSession, place: CasePlace, now: datetime,
) -> str:
    """Give up ``taken`` (a workflow this start did not start holds it) for the counter's next free id."""
    await cases_repo.drop_start_placeholder(session, taken, actor.subject)
    case_id = await _fresh_case_id(spec, session=session, place=place, now=now)
    if idempotency_key:
        await cases_repo.move_start_request(session, f"start:{idempotency_key}", case_id)
    await _open_case_row(spec, actor, case_id, session=session, place=place, now=now)
    return case_id


class StartOutcome(Enum):
    STARTED = "started"  # this call started the workflow
    REPEATED = "repeated"  # the workflow is this start's own, from an earlier attempt with the same key and request
    TAKEN = "taken"  # another start's workflow holds the id


async def start_case(
    spec: ProcessSpec, request: BaseModel, actor: Actor, idempotency_key: str | None, *,
    session: AsyncSession, client: Client, settings: Settings, place: CasePlace, at: datetime | None = None,
) -> tuple[str, bool]:
    """Start a case of ``spec``: allocate its readable id, remember the idempotency key, start the workflow.

    Returns ``(case_id, created)``; a repeated key returns the case it started the first time. A
    start never attaches to a workflow it did not start: when the id is held by another start's
    workflow (running or closed), it takes the counter's next id instead (``api.start_identity``).
    ``at`` is the moment the route checked the request against (one clock for both).
    """
    if spec.start_input is None:
        raise Invalid(f"a {spec.label} case is not started through the API")
    now = at or datetime.now(UTC)
    case_id, created = await _register_start(spec, actor, idempotency_key, session=session, place=place, now=now)
    token = start_token(spec.kind, actor, idempotency_key, request)
    for _ in range(START_ATTEMPTS):
        outcome = await _start_workflow(
            spec, request, actor, case_id, token, retry=not created, client=client, settings=settings, place=place, now=now,
        )
        if outcome is not StartOutcome.TAKEN:
            log.info("case started" if outcome is StartOutcome.STARTED else "case start repeated", case_id=case_id, kind=spec.kind)
            return case_id, created
        log.warning(
            "case id held by a workflow this start did not start (database restored behind Temporal?): taking the next id",
            case_id=case_id, kind=spec.kind,
        )
        case_id = await _reallocate(spec, actor, idempotency_key, case_id, session=session, place=place, now=now)
        created = True
    raise Unavailable(f"no free {spec.kind} case id after {START_ATTEMPTS} attempts: move the case counter on (deploy/README.md)")


async def _start_workflow(
    spec: ProcessSpec, request: BaseModel, actor: Actor, case_id: str, token: StartToken, *, retry: bool,
    client: Client, settings: Settings, place: CasePlace, now: datetime,
) -> StartOutcome:
    """Start the case's workflow under ``case_id`` with the start's token in its memo; if the id is held, say by whom."""
    rules = spec.rules_for(settings.demo_periods)
    assert rules is not None and spec.start_input is not None, f"{spec.kind} declares no rules or no start input"
    workflow_input = spec.start_input(StartArgs(
        case_id=case_id, request=request, initiator=actor, rules=rules, at=now, demo=settings.demo_periods, scope=place.scope,
    ))
    # Any workflow with this id, running or closed, fails the start: whose it is decides the rest.
    start = WithStartWorkflowOperation(
        spec.workflow.run,  # type: ignore[attr-defined]  # each process's run takes its own input model
        workflow_input, id=case_id, task_queue=settings.task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE, id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        memo={START_MEMO: token.model_dump()},
        search_attributes=start_search_attributes(spec, place.scope) if settings.search_attributes else None,
    )
    try:
        # Start and wait for the first waiting point in one call, so the answer shows the open tasks.
        await client.execute_update_with_start_workflow("ready", start_workflow_operation=start, result_type=CaseAck)
        return StartOutcome.STARTED
    except WorkflowAlreadyStartedError:
        pass
    except WorkflowUpdateFailedError as exc:
        raise Invalid(f"the case could not start: {exc.cause}") from None
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        log.error("workflow start timed out", case_id=case_id)
        raise Unavailable(f"the case {case_id} was registered but did not answer in time: retry with the same Idempotency-Key") from None
    except RPCError as exc:
        if exc.status != RPCStatusCode.ALREADY_EXISTS:  # the test server reports a closed run's id this way
            log.error("workflow start failed", case_id=case_id, error=str(exc))
            raise Unavailable(f"the case {case_id} was registered but could not be started: retry with the same Idempotency-Key") from None
    return await _held_by(client, case_id, token, retry=retry)


async def _held_by(client: Client, case_id: str, token: StartToken, *, retry: bool) -> StartOutcome:
    """Whether the workflow holding ``case_id`` is this start's own (its retry) or another's."""
    try:
        owner = await workflow_owner(client, case_id)
    except RPCError as exc:
        raise Unavailable(f"the workflow engine did not answer for {case_id}: retry with the same Idempotency-Key") from exc
    # A workflow started before start tokens has none: the key's own record (a retry) is the proof then.
    if owner.token != token and not (owner.token is None and retry):
        if retry and owner.token is not None and owner.token.key == token.key:
            raise Conflict("this Idempotency-Key started a different request")
        return StartOutcome.TAKEN
    if owner.running:
        try:  # the first attempt may have ended before the case reached its first waiting point
            await client.get_workflow_handle(case_id).execute_update("ready", result_type=CaseAck)
        except (RPCError, WorkflowUpdateRPCTimeoutOrCancelledError):
            raise Unavailable(f"the case {case_id} did not answer: retry with the same Idempotency-Key") from None
    return StartOutcome.REPEATED


async def started_case(session: AsyncSession, settings: Settings, response: Response, case_id: str, created: bool) -> CaseRead:
    """The answer to a start: the case as its first projection wrote it; 200 rather than 201 for a repeat."""
    if not created:
        response.status_code = status.HTTP_200_OK
    record = await cases_repo.get_case(session, case_id)
    assert record is not None  # start_case wrote it before starting the workflow
    await session.refresh(record)
    return read_snapshot(settings, CaseSnapshot.model_validate(record.snapshot))


async def send_update(
    *, client: Client, sessions: async_sessionmaker[AsyncSession], case_id: str, update: str, payload: BaseModel,
    actor: Actor, key: KeyUse | None, audit_context: dict[str, Any], wait: float = 30.0,
) -> CaseSnapshot:
    """Execute a Workflow Update and answer with the case as the read model now holds it.

    Refusals become 403/409/422 and are written to the audit log. The update answers only after
    the workflow has written its read model, so the read below sees the caller's own decision.
    A repeated request (same key, same request) answers with what its first answer held.
    """
    structlog.contextvars.bind_contextvars(workflow_id=case_id)
    if key is not None and key.response is not None:
        return CaseSnapshot.model_validate(key.response)
    handle = client.get_workflow_handle(case_id)
    update_id = key.update_id if key is not None else str(uuid.uuid4())
    try:
        async with asyncio.timeout(wait):  # no worker takes it: the client would wait for ever
            await handle.execute_update(update, payload, id=update_id, result_type=CaseAck)
    except WorkflowUpdateFailedError as exc:
        cause: BaseException | None = exc.cause
        while cause is not None and not isinstance(cause, ApplicationError):
            cause = cause.cause if isinstance(cause, TemporalError) else None
        problem_cls = REFUSALS.get(cause.type or "", Invalid) if isinstance(cause, ApplicationError) else Invalid
        detail = cause.message if cause is not None else str(exc)
        errors = (cause.details[0] or {}).get("errors", []) if isinstance(cause, ApplicationError) and cause.details else []
        await log_refusal(sessions, case_id, actor, problem_cls.code, detail, audit_context)
        raise problem_cls(detail, errors=errors) if errors else problem_cls(detail) from None
    except RPCError as exc:
        await rpc_failed(exc, client=client, sessions=sessions, case_id=case_id, actor=actor, audit_context=audit_context)
    except (WorkflowUpdateRPCTimeoutOrCancelledError, TimeoutError):
        await resync_read_model(client, sessions, case_id)
        raise Unavailable("the workflow did not answer in time; retry with the same Idempotency-Key") from None
    async with sessions() as session:
        stored = await cases_repo.snapshot_of(session, case_id)
    assert stored is not None  # the API found the case before sending the update
    if key is not None:
        await idempotency_repo.keep_response(sessions, key.key, stored)
    return CaseSnapshot.model_validate(stored)


# Owners see what other owners did on a case, not who they are (an objection is not a public act).
PRIVATE_ACTOR_ROLES = frozenset({Role.OWNER.value, Role.OWNER_REP.value})
OWNER_VIEWERS = (Role.OWNER, Role.OWNER_REP)
# Evaluation experts stay anonymous on timelines except to the bureau and auditors
# (招标投标法 Art. 37, 实施条例 Art. 46: names confidential until the result).
EXPERT_VIEWERS = (Role.HOUSING_BUREAU, Role.BUREAU_SUPERVISOR, Role.AUDITOR, Role.ADMIN)


async def timeline_of(session: AsyncSession, record: CaseRecord, viewer: Actor | None = None) -> list[TimelineEntry]:
    """The case's audit log in business terms: steps, decisions, timers and refused attempts, in order;
    for a ``viewer``, as the case's read policy lets them see it."""
    mask = viewer is not None and all(r in OWNER_VIEWERS for r in viewer.roles)
    out = []
    entries = await audit_repo.timeline(session, record.id)
    withdrawn = withdrawn_by((e.seq, e.kind, e.data) for e in entries)
    for e in entries:
        role = e.actor_role if e.actor_role in Role.__members__.values() else None
        hide_expert = role == Role.EXPERT.value and viewer is not None and not viewer.has_any(EXPERT_VIEWERS)
        if hide_expert and viewer is not None and e.actor_subject == viewer.subject:
            hide_expert = False
        if role is not None and (hide_expert or (mask and role in PRIVATE_ACTOR_ROLES)) and viewer is not None and e.actor_subject != viewer.subject:
            out.append(
                TimelineEntry(
                    seq=e.seq, at=e.at, kind=e.kind,
                    step=Labelled(code=e.step, label=step_label(record.kind, e.step)) if e.step else None,
                    task_id=e.task_id,
                    actor=ActorRead(subject="owner", name=None, role=Labelled(code=role, label=ROLE_LABELS[Role(role)]), organisation=None),
                    decision=decision_l(e.decision) if e.decision else None, comment=None, data={}, hash=e.hash,
                    withdrawn_by=withdrawn.get(e.seq),
                )
            )
            continue
        out.append(
            TimelineEntry(
                seq=e.seq, at=e.at, kind=e.kind,
                step=Labelled(code=e.step, label=step_label(record.kind, e.step)) if e.step else None,
                task_id=e.task_id,
                actor=ActorRead(
                    subject=e.actor_subject or "system", name=e.actor_name,
                    role=Labelled(code=role, label=ROLE_LABELS[Role(role)]) if role else None,
                    organisation=e.actor_organisation,
                ),
                decision=decision_l(e.decision) if e.decision else None, comment=e.comment, data=e.data or {},
                hash=e.hash, withdrawn_by=withdrawn.get(e.seq),
            )
        )
    return out if viewer is None else await policy_for(record.kind).timeline(session, viewer, record, out)
