"""Response and request bodies of the API (``XCreate / XRead`` naming)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

from api.limits import ATTACHMENT_REF_CHARS, check_decision_data
from core.registry import decision_label
from domain.access import ROLE_LABELS, Role
from domain.cases import CASE_STATUS_LABELS, CaseSnapshot
from domain.tasks import CARD_LABELS, TASK_STATUS_LABELS, HumanTask


class Labelled(BaseModel):
    code: str
    label: str


class PartyRead(BaseModel):
    role: Labelled
    signed_by: str | None = None
    signed_at: datetime | None = None


class TaskRead(BaseModel):
    id: str
    step: Labelled
    status: Labelled
    candidate_roles: list[Labelled]
    decisions: list[Labelled]
    countersign: list[PartyRead] = Field(default_factory=list)
    assignee: str | None = None
    created_at: datetime
    remind_at: datetime | None = None
    due_at: datetime | None = None
    escalate_at: datetime | None = None
    reminded_at: datetime | None = None
    overdue_at: datetime | None = None
    escalated_at: datetime | None = None
    escalated_to: list[Labelled] = Field(default_factory=list)
    # The roles that may hand the task to a named person (转办, POST …/assignee); none for a personal task.
    supervisors: list[Labelled] = Field(default_factory=list)
    card: Labelled
    outcome: Labelled | None = None
    closed_at: datetime | None = None
    note: str | None = None
    # Decision code -> where the JSON Schema of its ``data`` is published (a client builds its form from it).
    data_schemas: dict[str, str] = Field(default_factory=dict)
    # False while a working-day deadline is counted on a year whose holiday calendar is unpublished
    # (Monday to Friday, provisional); the publication counts it again.
    calendar_published: bool = True
    calendar_note: str | None = None


def role_l(role: Role) -> Labelled:
    return Labelled(code=role.value, label=ROLE_LABELS[role])


def decision_l(code: str, kind: str | None = None) -> Labelled:
    return Labelled(code=code, label=decision_label(code, kind))


def schema_path(kind: str, step: str, decision: str) -> str:
    """Where the JSON Schema of a decision's ``data`` is published."""
    return f"/processes/{kind}/steps/{step}/decisions/{decision}/schema"


def task_read(task: HumanTask, kind: str | None = None) -> TaskRead:
    signed = {s.role: s for s in task.signed}
    return TaskRead(
        id=task.id, step=Labelled(code=task.step, label=task.step_label),
        status=Labelled(code=task.status.value, label=TASK_STATUS_LABELS[task.status]),
        candidate_roles=[role_l(r) for r in task.deciding_roles()], decisions=[decision_l(d, kind) for d in task.decisions],
        countersign=[
            PartyRead(role=role_l(r), signed_by=signed[r].name if r in signed else None, signed_at=signed[r].at if r in signed else None)
            for r in task.countersign
        ],
        assignee=task.assignee, created_at=task.created_at, remind_at=task.remind_at, due_at=task.due_at,
        escalate_at=task.escalate_at, reminded_at=task.reminded_at, overdue_at=task.overdue_at,
        escalated_at=task.escalated_at, escalated_to=[role_l(r) for r in task.escalation_roles],
        supervisors=[] if task.personal else [role_l(r) for r in task.escalate_to],
        card=Labelled(code=task.card.value, label=CARD_LABELS[task.card]),
        outcome=decision_l(task.outcome, kind) if task.outcome else None, closed_at=task.closed_at, note=task.note,
        data_schemas={d: schema_path(kind, task.step, d) for d in task.decisions} if kind else {},
        calendar_published=task.calendar_published, calendar_note=provisional_note(task),
    )


def provisional_note(task: HumanTask) -> str | None:
    """What a reader is told of a deadline counted on an unpublished year."""
    if task.sla is None or task.calendar_published:
        return None
    years = "、".join(f"{y}年" for y in task.sla.provisional_years)
    return f"{years}节假日安排尚未发布，期限暂按周一至周五计算，发布后自动重算"


class CaseRead(BaseModel):
    id: str
    # The process kind's code, the discriminator of the published union of case answers.
    process: str
    kind: Labelled
    title: str
    status: Labelled
    step: Labelled
    street_id: str | None
    community_id: str | None
    estate_id: str | None
    initiator: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None
    approved_at: datetime | None = None
    approval_seconds: int | None = None
    facts: dict[str, Any]
    open_tasks: list[TaskRead]
    tasks: list[TaskRead]
    workflow_url: str | None = None


def case_read(snap: CaseSnapshot, kind_label: str, workflow_url: str | None = None) -> CaseRead:
    approval = int((snap.approved_at - snap.created_at).total_seconds()) if snap.approved_at else None
    tasks = [task_read(t, snap.kind) for t in snap.tasks]
    return CaseRead(
        id=snap.case_id, process=snap.kind, kind=Labelled(code=snap.kind, label=kind_label), title=snap.title,
        status=Labelled(code=snap.status.value, label=CASE_STATUS_LABELS[snap.status]),
        step=Labelled(code=snap.step, label=snap.step_label), street_id=snap.scope.street_id,
        community_id=snap.scope.community_id, estate_id=snap.scope.estate_id,
        initiator={"subject": snap.initiator.subject, "name": snap.initiator.name, "organisation": snap.initiator.organisation},
        created_at=snap.created_at, updated_at=snap.updated_at, closed_at=snap.closed_at, approved_at=snap.approved_at,
        approval_seconds=approval, facts=snap.facts, open_tasks=[t for t in tasks if t.status.code == "open"],
        tasks=tasks, workflow_url=workflow_url,
    )


class CaseSummary(BaseModel):
    id: str
    kind: Labelled
    title: str
    status: Labelled
    step: Labelled
    estate_id: str | None
    street_id: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None
    approval_seconds: int | None = None


class CasePage(BaseModel):
    total: int
    items: list[CaseSummary]


class InboxItem(BaseModel):
    case_id: str
    case_title: str
    kind: str
    task_id: str
    step: Labelled
    role: Labelled
    decisions: list[Labelled]
    created_at: datetime
    due_at: datetime | None
    card: Labelled
    escalated: bool
    decide_url: str
    # False while the deadline is counted on an unpublished year of the holiday calendar (provisional).
    calendar_published: bool = True


class ActorRead(BaseModel):
    subject: str
    name: str | None
    role: Labelled | None
    organisation: str | None


class TimelineEntry(BaseModel):
    seq: int
    at: datetime
    kind: str
    step: Labelled | None
    task_id: str | None
    actor: ActorRead
    decision: Labelled | None
    comment: str | None
    data: dict[str, Any]
    hash: str
    # The correction entry that withdrew this one: a workflow task wrote it and then failed, and
    # the workflow's history does not hold it (the correction says so; nothing is deleted).
    withdrawn_by: int | None = None


class DecisionCreate(BaseModel):
    """A decision on an open task. Who decides comes from the token, never from this body."""

    decision: str = Field(min_length=1, max_length=32, examples=["approve"])
    comment: str | None = Field(default=None, max_length=2000, examples=["核减不合理项目后同意"])
    # Bounded here, before the update reaches Temporal (api/limits.py says why).
    data: Annotated[dict[str, Any], AfterValidator(check_decision_data)] = Field(
        default_factory=dict, examples=[{"approved_amount_fen": 4_200_000, "reasons": "钢丝绳单价按信息价核减"}],
    )
    attachments: list[Annotated[str, Field(min_length=1, max_length=ATTACHMENT_REF_CHARS)]] = Field(
        default_factory=list, max_length=50, description="references to stored documents",
    )


class WithdrawCreate(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, examples=["误报，已由物业自行修复"])


class ObjectionCreate(BaseModel):
    text: str = Field(min_length=1, max_length=4000, examples=["我户分摊面积有误"])


class ReassignCreate(BaseModel):
    assignee: str = Field(min_length=1, max_length=64, description="the subject of the person who takes the task", examples=["bureau-li"])
    reason: str = Field(min_length=1, max_length=2000, examples=["承办人出差，转李审核办理"])
