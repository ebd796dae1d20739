"""A case as the API and the read models see it: status, step, open tasks, facts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from domain.access import Actor, Scope
from domain.audit import AuditEvent
from domain.calendar import CITY_TZ
from domain.tasks import HumanTask
from domain.ticket import TicketLedgerRow


def case_id_prefix(kind: str, key: str, at: datetime) -> str:
    """``<kind>-<key>-<yyyymmdd>``: a case id is dated by the city's calendar day, whatever the server's zone."""
    return f"{kind}-{key}-{at.astimezone(CITY_TZ).strftime('%Y%m%d')}"


class CaseStatus(StrEnum):
    ACTIVE = "active"
    BLOCKED = "blocked"
    COMPLETED = "completed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


CASE_STATUS_LABELS: dict[str, str] = {
    CaseStatus.ACTIVE: "办理中",
    CaseStatus.BLOCKED: "受阻",
    CaseStatus.COMPLETED: "已办结",
    CaseStatus.REJECTED: "已驳回",
    CaseStatus.WITHDRAWN: "已撤回",
}

FINAL_STATUSES = frozenset({CaseStatus.COMPLETED, CaseStatus.REJECTED, CaseStatus.WITHDRAWN})


class CaseSnapshot(BaseModel):
    """Everything the read model stores for one case, produced by its workflow."""

    case_id: str
    kind: str
    title: str
    status: CaseStatus
    step: str
    step_label: str
    scope: Scope
    company_ids: list[str] = Field(default_factory=list)
    initiator: Actor
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None
    approved_at: datetime | None = None
    facts: dict[str, Any] = Field(default_factory=dict)
    tasks: list[HumanTask] = Field(default_factory=list)
    version: int = 0

    @property
    def open_tasks(self) -> list[HumanTask]:
        return [t for t in self.tasks if t.is_open]

    def inbox_key(self) -> tuple[Any, ...]:
        """Everything the case's inbox rows are made of: when it is unchanged, so are the rows."""
        if self.status in FINAL_STATUSES:
            return ()
        return (self.kind, self.title, *(
            (t.id, t.step, t.step_label, tuple(t.deciding_roles()), t.scope, t.assignee, tuple(t.decisions),
             t.created_at, t.due_at, t.card, t.escalated_at is not None, t.calendar_published)
            for t in self.open_tasks
        ))


class CaseAck(BaseModel):
    """What an update answers: small, so histories stay lean; the API reads the case itself."""

    case_id: str
    version: int
    status: CaseStatus
    step: str


class Projection(BaseModel):
    """One step of a workflow's read model: the new snapshot and the audit events since the last."""

    snapshot: CaseSnapshot
    events: list[AuditEvent] = Field(default_factory=list)
    # False when the workflow knows the open tasks are as it last projected them, so the inbox
    # rows stand; histories written before this field replay with the default.
    inbox_changed: bool = True
    # Where this projection stands (``domain.projection``): the timeline events the workflow has
    # produced so far (the ``events`` are the last of them), the version of its previous
    # projection, and the length of the history its workflow task started at.
    events_through: int | None = None
    previous_version: int | None = None
    history_length: int = 0
    # A ticket's ledger line (台账) when it changed, written in the same transaction as the case:
    # one local activity per waiting point instead of two (the ledger was its own activity).
    ticket_ledger: TicketLedgerRow | None = None

    def first_event(self) -> int:
        """The number of the first event this projection carries (the one after the last projected)."""
        return self.through() - len(self.events) + 1

    def through(self) -> int:
        if self.events_through is not None:
            return self.events_through
        # Written without the field (a test, an old caller): the events' own numbers say it.
        numbers = [int(e.key.rsplit(":", 1)[-1]) for e in self.events if e.key.rsplit(":", 1)[-1].isdigit()]
        return max(numbers, default=0)
