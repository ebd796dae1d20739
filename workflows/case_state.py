"""The state every case keeps and the public surface processes use: identity, place, step, timeline.

``CaseWorkflow`` (``workflows/human_tasks.py``) adds the tasks, the updates and the read model on
top; a process only ever uses the members defined here and there, never their private state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from core.registry import CASE_KIND, CASE_STATUS, CASE_STEP
    from domain.access import Actor, Role, Scope
    from domain.audit import AuditEvent
    from domain.cases import FINAL_STATUSES, CaseAck, CaseStatus
    from domain.tasks import DecisionInput, HumanTask, WithdrawInput


class CaseState:
    """A case's identity, place, status and step, its tasks and its timeline events."""

    def init_case(self, *, case_id: str, title: str, scope: Scope, initiator: Actor, first_step: str) -> None:
        self._case_id = case_id
        self._title = title
        self._scope = scope
        self._initiator = initiator
        self._created_at = workflow.now()
        self._status = CaseStatus.ACTIVE
        self._step = first_step
        self._tasks: dict[str, HumanTask] = {}
        self._parsed: dict[str, BaseModel | None] = {}
        self._decided: dict[str, DecisionInput] = {}
        self._events: list[AuditEvent] = []
        self._event_seq = 0
        self._events_projected = 0  # the audit anchor: the timeline events the read model holds
        self._version = 0
        self._projected = -1
        self._inbox_key: tuple[Any, ...] | None = None
        self._alarm: asyncio.Task[None] | None = None
        self._alarm_moment: datetime | None = None
        self._company_ids: list[str] = []
        self._closed_at: datetime | None = None
        self._approved_at: datetime | None = None
        self._withdrawal: WithdrawInput | None = None
        self._withdrawal_update: str | None = None
        self._acted = False

    # ----------------------------------------------------------------- the public surface

    @property
    def case_id(self) -> str:
        return self._case_id

    @property
    def scope(self) -> Scope:
        """Where the case is: street, community, estate (known fully once the context is loaded)."""
        return self._scope

    @scope.setter
    def scope(self, value: Scope) -> None:
        self._scope = value

    @property
    def title(self) -> str:
        return self._title

    @title.setter
    def title(self, value: str) -> None:
        self._title = value

    @property
    def company_ids(self) -> list[str]:
        """The organisations (companies, departments) the case concerns: they may read it."""
        return self._company_ids

    @company_ids.setter
    def company_ids(self, value: list[str]) -> None:
        self._company_ids = list(value)

    @property
    def initiator(self) -> Actor:
        return self._initiator

    @property
    def created_at(self) -> datetime:
        return self._created_at

    @property
    def closed_at(self) -> datetime | None:
        return self._closed_at

    @property
    def status(self) -> CaseStatus:
        return self._status

    @property
    def step(self) -> str:
        return self._step

    @property
    def version(self) -> int:
        return self._version

    @property
    def is_final(self) -> bool:
        return self._status in FINAL_STATUSES

    def task(self, task_id: str) -> HumanTask:
        """An open or closed task of the case by id."""
        return self._tasks[task_id]

    def all_tasks(self) -> list[HumanTask]:
        """Every task the case has opened, in order."""
        return list(self._tasks.values())

    def mark_acted(self) -> None:
        """Someone other than the system has acted: the initiator can no longer withdraw."""
        self._acted = True

    async def answer(self, also: Callable[[], bool] | None = None) -> CaseAck:
        """The answer barrier of every update: the change is projected before the caller hears back.

        ``also``: a further condition the answer waits for (e.g. a registration still in flight).
        """
        self.touch()
        target = self._version
        await workflow.wait_condition(lambda: self._projected >= target and (also is None or also()))
        return self.ack()

    def facts(self) -> BaseModel | dict[str, Any]:
        """Process-specific facts shown on the case (amounts, deadlines): the process's typed facts model."""
        return {}

    def facts_json(self) -> dict[str, Any]:
        """The facts as the read model stores them (JSON)."""
        facts = self.facts()
        return facts.model_dump(mode="json") if isinstance(facts, BaseModel) else facts

    def ack(self) -> CaseAck:
        """The answer of an update: the case's version, status and step."""
        return CaseAck(case_id=self._case_id, version=self._version, status=self._status, step=self._step)

    def enter_step(self, step: str, status: CaseStatus | None = None, comment: str | None = None, **data: Any) -> None:
        """Move the case to ``step`` and record it on the timeline."""
        self._step = step
        if status is not None:
            self._status = status
        self.record("step", step=step, comment=comment, data={"status": self._status.value, **data})
        self.touch()

    def mark_approved(self) -> None:
        """The moment of approval, for the application-to-approval metric."""
        if self._approved_at is None:
            self._approved_at = workflow.now()
            self.touch()

    def touch(self) -> None:
        self._version += 1

    def record(
        self, kind: str, *, step: str | None = None, task_id: str | None = None, actor: Actor | None = None,
        role: Role | None = None, decision: str | None = None, comment: str | None = None,
        data: dict[str, Any] | None = None, update_id: str | None = None,
    ) -> None:
        """Add an event to the timeline; inside an update handler it names that update (the request)."""
        if update_id is None and (update := workflow.current_update_info()) is not None:
            update_id = update.id
        self._event_seq += 1
        self._events.append(
            AuditEvent(
                key=f"{self._case_id}:{self._event_seq}", at=workflow.now(), kind=kind, step=step, task_id=task_id,
                actor_subject=actor.subject if actor else "system", actor_name=actor.name if actor else "系统",
                actor_role=role.value if role else None, actor_organisation=actor.organisation if actor else None,
                decision=decision, comment=comment, data=_jsonable(data or {}), update_id=update_id,
            )
        )

    def projection_extras(self) -> dict[str, Any]:
        """What the next projection writes besides the case, by ``Projection`` field (the ticket's ledger line); override."""
        return {}

    def projection_written(self) -> None:
        """The projection carrying ``projection_extras`` is written; override."""

    def _upsert_search_attributes(self) -> None:
        # Only when the case was started with them: the server must have them registered.
        attrs = workflow.info().typed_search_attributes
        if attrs.get(CASE_KIND) is None:
            return
        if attrs.get(CASE_STATUS) != self._status.value or attrs.get(CASE_STEP) != self._step:
            workflow.upsert_search_attributes([CASE_STATUS.value_set(self._status.value), CASE_STEP.value_set(self._step)])


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, datetime):
            out[key] = value.isoformat()
        elif isinstance(value, BaseModel):
            out[key] = value.model_dump(mode="json")
        else:
            out[key] = value
    return out
