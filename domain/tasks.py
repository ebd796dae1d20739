"""Human tasks: the steps that wait for people, and the rules a decision must pass.

Pure models and checks; the workflow-side mechanics (timers, updates, projection) are in
``workflows/human_tasks.py``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from domain.access import Actor, Role, Scope, covers


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


TASK_STATUS_LABELS = {TaskStatus.OPEN: "待办", TaskStatus.DONE: "已办", TaskStatus.CANCELLED: "已取消"}


class Card(StrEnum):
    """SLA state shown in the inbox: yellow before the deadline, red once overdue."""

    NONE = "none"
    YELLOW = "yellow"
    RED = "red"


CARD_LABELS = {Card.NONE: "正常", Card.YELLOW: "黄牌预警", Card.RED: "红牌超期"}


class Decision(StrEnum):
    """Decision codes shared by every process."""

    APPROVE = "approve"
    CONFIRM = "confirm"
    SUBMIT = "submit"
    REJECT = "reject"
    RETURN = "return"
    ANSWER = "answer"
    UPHOLD = "uphold"
    ORGANISE = "organise"
    RETRY = "retry"
    ACCEPT = "accept"
    URGE = "urge"


DECISION_LABELS: dict[str, str] = {
    Decision.APPROVE: "同意",
    Decision.CONFIRM: "确认",
    Decision.SUBMIT: "提交",
    Decision.REJECT: "驳回",
    Decision.RETURN: "退回",
    Decision.ANSWER: "答复",
    Decision.UPHOLD: "异议成立",
    Decision.ORGANISE: "组织维修",
    Decision.RETRY: "重新支付",
    Decision.ACCEPT: "验收通过",
    Decision.URGE: "督促限期完成",
    # System events on a task's deadline (not decisions anyone takes).
    "deadline_recounted": "期限重算",
    "calendar_published": "节假日安排已发布",
}

# A "no" must say why: the reason is what the applicant reads and the auditor checks.
DECISIONS_NEEDING_REASON = frozenset({Decision.REJECT, Decision.RETURN, Decision.ANSWER, Decision.UPHOLD})


class SignOff(BaseModel):
    """One party's signature on a countersign task."""

    role: Role
    subject: str
    name: str
    at: datetime
    comment: str | None = None


class WorkingDayPeriod(BaseModel):
    """How a task's working-day deadlines were counted, so that a newly published calendar can count them again."""

    start: datetime
    working_days: int
    remind_before: int = 1
    escalate_after: int = 1
    # Each year the count looked at -> the revision of its published calendar; 0: not published
    # (counted Monday to Friday, provisional). JSON keeps the years as strings; pydantic reads them back.
    calendar: dict[int, int] = Field(default_factory=dict)

    @property
    def calendar_published(self) -> bool:
        return all(revision > 0 for revision in self.calendar.values())

    @property
    def provisional_years(self) -> list[int]:
        return sorted(year for year, revision in self.calendar.items() if revision == 0)

    def counts_on(self, year: int, revision: int) -> bool:
        """Whether the count looked at ``year`` on an older revision than ``revision`` (or on none)."""
        return year in self.calendar and self.calendar[year] < revision


class HumanTask(BaseModel):
    """A step waiting for people: who may decide, where, by when, and what they may decide."""

    id: str
    step: str
    step_label: str
    candidate_roles: list[Role]
    scope: Scope
    decisions: list[str]
    countersign: list[Role] = Field(default_factory=list)
    signed: list[SignOff] = Field(default_factory=list)
    assignee: str | None = None
    status: TaskStatus = TaskStatus.OPEN
    outcome: str | None = None
    created_at: datetime
    remind_at: datetime | None = None
    due_at: datetime | None = None
    escalate_at: datetime | None = None
    escalate_to: list[Role] = Field(default_factory=list)
    escalation_roles: list[Role] = Field(default_factory=list)
    reminded_at: datetime | None = None
    overdue_at: datetime | None = None
    escalated_at: datetime | None = None
    closed_at: datetime | None = None
    note: str | None = None
    # Only the assignee may decide; escalation makes it visible to the supervisor but gives no right to decide; it cannot be reassigned.
    personal: bool = False
    # The working-day count behind remind_at / due_at / escalate_at, when they are working days.
    sla: WorkingDayPeriod | None = None

    @property
    def calendar_published(self) -> bool:
        """False while a working-day deadline of the task is counted on a year nobody has published (provisional)."""
        return self.sla is None or self.sla.calendar_published

    @property
    def card(self) -> Card:
        if self.overdue_at is not None:
            return Card.RED
        if self.reminded_at is not None:
            return Card.YELLOW
        return Card.NONE

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN

    def pending_parties(self) -> list[Role]:
        """Countersign parties that have not signed yet."""
        done = {s.role for s in self.signed}
        return [r for r in self.countersign if r not in done]

    def deciding_roles(self) -> list[Role]:
        """Roles that can act on the task now (escalation adds the supervisor's role)."""
        base = self.pending_parties() if self.countersign else list(self.candidate_roles)
        return base + [r for r in self.escalation_roles if r not in base]


class DecisionInput(BaseModel):
    """A decision on a task; ``actor`` is filled from the token by the API."""

    task_id: str = Field(min_length=1, max_length=64)
    decision: str = Field(min_length=1, max_length=32)
    comment: str | None = Field(default=None, max_length=2000)
    data: dict[str, Any] = Field(default_factory=dict)
    attachments: list[str] = Field(default_factory=list, max_length=50)
    actor: Actor


class WithdrawInput(BaseModel):
    """The initiator takes a case back before anyone has acted on it."""

    reason: str = Field(min_length=1, max_length=2000)
    actor: Actor


class ReassignInput(BaseModel):
    """A supervisor hands an open task to a named person (转办)."""

    task_id: str = Field(min_length=1, max_length=64)
    assignee: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)
    actor: Actor


def check_reassign(task: HumanTask | None, request: ReassignInput) -> None:
    """Only the task's supervisor (the role it escalates to), inside their jurisdiction, may reassign it."""
    if task is None or not task.is_open:
        raise DecisionRefused(RefusalKind.CONFLICT, f"task {request.task_id} is not open")
    if not task.escalate_to or not request.actor.has_any(task.escalate_to):
        raise DecisionRefused(RefusalKind.FORBIDDEN, "only the task's supervisor can reassign it")
    if task.personal:
        raise DecisionRefused(RefusalKind.FORBIDDEN, f"task {task.id} is personal to its assignee and cannot be reassigned")
    if not covers(request.actor.jurisdiction, task.scope):
        raise DecisionRefused(RefusalKind.FORBIDDEN, f"task {task.id} is outside your jurisdiction")


class RefusalKind(StrEnum):
    """Why a decision was refused; the API maps each to an HTTP status."""

    FORBIDDEN = "forbidden"  # 403: role or jurisdiction does not cover the task
    CONFLICT = "conflict"  # 409: task closed, unknown or already signed
    INVALID = "invalid"  # 422: decision not allowed here or data invalid


class DecisionRefused(Exception):
    """A decision that must not be recorded."""

    def __init__(self, kind: RefusalKind, detail: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.errors = errors or []


def acting_role(task: HumanTask, actor: Actor) -> Role:
    """The role in which ``actor`` may act on ``task``, or a refusal (role, then jurisdiction)."""
    if task.personal:
        # Escalation only shows a personal task to the supervisor: it acts in nobody's place.
        if task.assignee is not None and actor.subject != task.assignee:
            raise DecisionRefused(RefusalKind.FORBIDDEN, f"task {task.id} is personal to its assignee")
        base = task.pending_parties() if task.countersign else list(task.candidate_roles)
        if not any(r in actor.roles for r in base):
            raise DecisionRefused(RefusalKind.FORBIDDEN, f"task {task.id} is for: {'、'.join(r.label for r in base)}; escalation gives no right to decide it")
    roles = [r for r in task.deciding_roles() if r in actor.roles]
    if not roles:
        if task.countersign and any(s.subject == actor.subject or s.role in actor.roles for s in task.signed):
            raise DecisionRefused(RefusalKind.CONFLICT, "this party has already signed the task")
        wanted = "、".join(r.label for r in task.deciding_roles())
        raise DecisionRefused(RefusalKind.FORBIDDEN, f"task {task.id} is for: {wanted}")
    if not covers(actor.jurisdiction, task.scope):
        raise DecisionRefused(RefusalKind.FORBIDDEN, f"task {task.id} is outside your jurisdiction")
    if task.assignee is not None and task.assignee != actor.subject and not actor.has_any(task.escalation_roles):
        raise DecisionRefused(RefusalKind.FORBIDDEN, f"task {task.id} is assigned to someone else")
    return roles[0]


def check_decision(
    task: HumanTask | None,
    decision: DecisionInput,
    data_models: dict[tuple[str, str], type[BaseModel]],
) -> BaseModel | None:
    """Refuse a decision unless the task is open, the actor covers it, and the decision and its data are valid."""
    if task is None:
        raise DecisionRefused(RefusalKind.CONFLICT, f"no task {decision.task_id} on this case")
    if not task.is_open:
        raise DecisionRefused(RefusalKind.CONFLICT, f"task {task.id} is already {task.status.value}")
    acting_role(task, decision.actor)
    if decision.decision not in task.decisions:
        allowed = ", ".join(task.decisions)
        raise DecisionRefused(RefusalKind.INVALID, f"decision '{decision.decision}' is not allowed here; allowed: {allowed}")
    if decision.decision in DECISIONS_NEEDING_REASON and not (decision.comment or "").strip():
        raise DecisionRefused(RefusalKind.INVALID, f"decision '{decision.decision}' needs a reason in 'comment'")
    model = data_models.get((task.step, decision.decision))
    if model is None:
        return None
    try:
        return model.model_validate(decision.data)
    except ValidationError as exc:
        errors = [
            {"loc": ["data", *map(str, e["loc"])], "msg": e["msg"], "type": e["type"]}
            for e in exc.errors(include_url=False, include_context=False)
        ]
        raise DecisionRefused(RefusalKind.INVALID, "decision data is invalid", errors) from None


def next_sla_moment(tasks: list[HumanTask], until: datetime | None = None) -> datetime | None:
    """The earliest reminder, deadline or escalation still to come among the open tasks (or ``until``)."""
    times = [until] if until is not None else []
    for t in tasks:
        if not t.is_open:
            continue
        if t.remind_at and t.reminded_at is None:
            times.append(t.remind_at)
        if t.due_at and t.overdue_at is None:
            times.append(t.due_at)
        if t.escalate_at and t.escalated_at is None and t.escalate_to:
            times.append(t.escalate_at)
    return min(times) if times else None


def fire_sla(task: HumanTask, now: datetime) -> list[tuple[str, dict[str, Any]]]:
    """Apply the SLA events due at ``now`` to an open task; returns them as (code, data) for the timeline.

    Yellow card at the reminder, red card at the deadline (a late wake-up shows both), escalation
    adds the supervisor's role to those who may decide.
    """
    events: list[tuple[str, dict[str, Any]]] = []
    if not task.is_open:
        return events
    due = task.due_at.isoformat() if task.due_at else None
    if task.remind_at and task.reminded_at is None and now >= task.remind_at:
        task.reminded_at = now
        events.append(("reminder", {"card": Card.YELLOW.value, "due_at": due}))
    if task.due_at and task.overdue_at is None and now >= task.due_at:
        task.overdue_at = now
        task.reminded_at = task.reminded_at or now
        events.append(("overdue", {"card": Card.RED.value, "due_at": due}))
    if task.escalate_at and task.escalated_at is None and task.escalate_to and now >= task.escalate_at:
        task.escalated_at = now
        task.escalation_roles = list(task.escalate_to)
        events.append(("escalation", {"escalated_to": [r.value for r in task.escalate_to]}))
    return events


def recount_deadlines(
    task: HumanTask, *, remind_at: datetime, due_at: datetime, escalate_at: datetime, calendar: dict[int, int], now: datetime,
) -> dict[str, Any] | None:
    """Put a working-day period counted again (on a newly published calendar) on an open task.

    A card shown for a moment that, counted again, has not come yet is withdrawn (the escalation
    with it); a moment that has now passed fires at the case's next wake-up, as any other. Returns
    what changed, for the timeline, or None when the count and its calendar are as they were.
    """
    assert task.sla is not None
    before = {"remind_at": task.remind_at, "due_at": task.due_at, "escalate_at": task.escalate_at}
    was_published = task.calendar_published
    if (remind_at, due_at, escalate_at) == tuple(before.values()) and calendar == task.sla.calendar:
        return None
    task.remind_at, task.due_at, task.escalate_at = remind_at, due_at, escalate_at
    task.sla = task.sla.model_copy(update={"calendar": dict(calendar)})
    withdrawn = []
    if task.reminded_at is not None and now < remind_at:
        task.reminded_at = None
        withdrawn.append("reminder")
    if task.overdue_at is not None and now < due_at:
        task.overdue_at = None
        withdrawn.append("overdue")
    if task.escalated_at is not None and now < escalate_at:
        task.escalated_at = None
        task.escalation_roles = []
        withdrawn.append("escalation")
    data: dict[str, Any] = {
        "due_at_before": _iso(before["due_at"]), "due_at": _iso(due_at), "remind_at": _iso(remind_at),
        "escalate_at": _iso(escalate_at), "calendar_published": task.calendar_published,
        "was_provisional": not was_published,
    }
    if not task.calendar_published:
        data["provisional_years"] = task.sla.provisional_years
    if withdrawn:
        data["cards_withdrawn"] = withdrawn
    return data


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
