"""Cases of every process: list, read, timeline, decide, withdraw."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.case_service import case_for, load_visible_case, timeline_of
from api.deps import ActorDep, CaseCallDep, SessionDep, SettingsDep
from api.errors import Forbidden
from api.limits import DateFrom, DateTo, Offset
from api.read_policy import case_access
from api.schemas import (
    CasePage,
    CaseRead,
    CaseSummary,
    DecisionCreate,
    Labelled,
    ReassignCreate,
    TimelineEntry,
    WithdrawCreate,
)
from core.registry import process_label
from db.models import CaseRecord
from db.repositories import cases as cases_repo
from domain.cases import CASE_STATUS_LABELS, CaseStatus
from domain.tasks import DecisionInput, ReassignInput, WithdrawInput

router = APIRouter(prefix="/cases", tags=["cases"])

DECISION_EXAMPLES = {
    "price review": {
        "summary": "预算核价: approve a reduced amount",
        "value": {"decision": "approve", "comment": "按信息价核减", "data": {"approved_amount_fen": 4200000, "reasons": "钢丝绳单价按信息价核减"}},
    },
    "countersign": {"summary": "现场联合核实: confirm", "value": {"decision": "confirm", "comment": "现场情况属实"}},
    "return": {"summary": "退回: back to the previous step", "value": {"decision": "return", "comment": "预算缺少工程量清单"}},
}


@router.get("", response_model=CasePage, summary="List cases in your jurisdiction")
async def list_cases(
    session: SessionDep, actor: ActorDep,
    kind: str | None = None, status: CaseStatus | None = None, street_id: str | None = None,
    community_id: str | None = None, estate_id: str | None = None, initiator: str | None = None,
    created_from: DateFrom = None, created_to: DateTo = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Offset = 0,
) -> CasePage:
    flt = cases_repo.CaseFilter(
        kind=kind, status=status.value if status else None, street_id=street_id, community_id=community_id,
        estate_id=estate_id, initiator=initiator, created_from=created_from, created_to=created_to,
    )
    total, rows = await cases_repo.list_cases(session, actor, flt, limit=limit, offset=offset, access=case_access(actor))
    return CasePage(total=total, items=[summary_of(r) for r in rows])


def summary_of(r: CaseRecord) -> CaseSummary:
    """One line of a case list."""
    return CaseSummary(
        id=r.id, kind=Labelled(code=r.kind, label=process_label(r.kind)), title=r.title,
        status=Labelled(code=r.status, label=CASE_STATUS_LABELS.get(r.status, r.status)),
        step=Labelled(code=r.step, label=r.snapshot.get("step_label", r.step)), estate_id=r.estate_id,
        street_id=r.street_id, created_at=r.created_at, updated_at=r.updated_at, closed_at=r.closed_at,
        approval_seconds=r.approval_seconds,
    )


@router.get("/{case_id}", response_model=CaseRead, summary="A case: step, open tasks, amounts, deadlines")
async def get_case(case_id: str, session: SessionDep, actor: ActorDep, settings: SettingsDep) -> CaseRead:
    return await case_for(session, settings, actor, await load_visible_case(session, actor, case_id))


@router.get("/{case_id}/timeline", response_model=list[TimelineEntry], summary="Who did what, when, in which role")
async def timeline(case_id: str, session: SessionDep, actor: ActorDep) -> list[TimelineEntry]:
    record = await load_visible_case(session, actor, case_id)
    return await timeline_of(session, record, viewer=actor)


@router.post(
    "/{case_id}/tasks/{task_id}/decisions", response_model=CaseRead,
    summary="Decide on an open task (a Workflow Update; Idempotency-Key is its update id)",
    openapi_extra={"requestBody": {"content": {"application/json": {"examples": DECISION_EXAMPLES}}}},
)
async def decide(case_id: str, task_id: str, body: DecisionCreate, call: CaseCallDep) -> CaseRead:
    payload = DecisionInput(
        task_id=task_id, decision=body.decision, comment=body.comment, data=body.data,
        attachments=body.attachments, actor=call.actor,
    )
    return await call.update(case_id, "decide", payload, {"task_id": task_id, "decision": body.decision, "data": body.data})


@router.post(
    "/{case_id}/tasks/{task_id}/assignee", response_model=CaseRead,
    summary="A supervisor hands an open task to a named person (转办)",
)
async def reassign(case_id: str, task_id: str, body: ReassignCreate, call: CaseCallDep) -> CaseRead:
    payload = ReassignInput(task_id=task_id, assignee=body.assignee, reason=body.reason, actor=call.actor)
    return await call.update(case_id, "reassign", payload, {"task_id": task_id, "decision": "reassign", "data": {"assignee": body.assignee}})


@router.post("/{case_id}/withdraw", response_model=CaseRead, summary="The initiator withdraws the case (撤回)")
async def withdraw(case_id: str, body: WithdrawCreate, call: CaseCallDep) -> CaseRead:
    def only_initiator(record: CaseRecord) -> None:
        if record.initiator_subject != call.actor.subject:
            raise Forbidden("only the initiator can withdraw the case")

    payload = WithdrawInput(reason=body.reason, actor=call.actor)
    return await call.update(case_id, "withdraw", payload, {"decision": "withdraw"}, check=only_initiator)
