"""Tasks that run alongside a ticket's handling: co-handlers' opinions (协办) and whistles (吹哨报到).

The community may summon a department while the ticket is handled; the department reports in
time, or the whistle climbs to the street office and then to the city's joint meeting (see
``domain.ticket_whistle``). The ticket workflow holds one ``SideTasks`` and waits on its open
tasks beside its own.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.access import Role
    from domain.routing import Unit
    from domain.rules import TicketRules
    from domain.tasks import HumanTask
    from domain.ticket import Step
    from domain.ticket import TicketDecision as D
    from domain.ticket_facts import CoHandlingOpinion
    from domain.ticket_state import TicketState
    from domain.ticket_whistle import (
        blow,
        check_whistle,
        escalate,
        next_deadline,
        settle,
    )
    from workflows.human_tasks import CaseWorkflow
    from workflows.ticket_models import WhistleInput

# The index an open co-handling task has among the side tasks (whistles count from 0).
CO_HANDLING = -1


class SideTasks:
    """The open co-handling and whistle tasks of one ticket, and the whistles still to open."""

    def __init__(self, case: CaseWorkflow, state: TicketState, rules: TicketRules) -> None:
        self._case = case
        self._t = state
        self._rules = rules
        self.pending: list[WhistleInput] = []  # blown by the community, task not opened yet
        self._open: dict[str, int] = {}  # open side task id → whistle index (CO_HANDLING: a co-handler's)

    def tasks(self) -> list[HumanTask]:
        return [self._case.task(t) for t in self._open]

    def next_deadline(self) -> datetime | None:
        """When the next unanswered whistle climbs a level."""
        return next_deadline(self._t.whistles)

    async def open_co_handling(self, start: datetime | None = None) -> None:
        """One task per co-handler, for its opinion within the handling period (counted from ``start`` if given)."""
        for unit in self._t.co:
            task = await self._case.open_task(
                Step.CO_HANDLING, [unit.role], decisions=[D.SUBMIT], company_id=unit.company_id,
                sla_working_days=self._rules.handling_working_days, note=unit.name, sla_start=start,
            )
            self._open[task.id] = CO_HANDLING

    def cancel_co_handling(self) -> None:
        """The lead unit has replied: opinions still missing are no longer needed."""
        for tid, index in list(self._open.items()):
            if index == CO_HANDLING:
                self._case.cancel_task(self._case.task(tid), "the lead unit has replied")
                del self._open[tid]

    def done(self, task: HumanTask) -> None:
        """Record a decided side task: a co-handler's opinion, or a whistle answered at some level."""
        index = self._open.pop(task.id)
        decision = self._case.decision_of(task)
        if index == CO_HANDLING:
            self._t.co_handling.append(
                CoHandlingOpinion(unit=task.note, by=decision.actor.name, opinion=decision.comment, at=task.closed_at)
            )
            return
        whistle = self._t.whistles[index]
        assert task.outcome is not None and task.closed_at is not None
        settle(whistle, task.outcome, decision.comment, decision.actor.name, task.closed_at)
        for tid in whistle.task_ids:
            if tid in self._open:
                self._case.cancel_task(self._case.task(tid), "the whistle was answered")
                del self._open[tid]

    def check_whistle(self, request: WhistleInput, units: list[Unit]) -> None:
        """A known department, not already summoned and silent (pending whistles included)."""
        summoned = [w.department_id for w in self._t.whistles if w.is_open] + [p.department_id for p in self.pending]
        check_whistle(request.department_id, units, summoned)

    async def open_whistles(self, units: list[Unit]) -> None:
        """Open the summoned departments' tasks; they may now read the ticket."""
        while self.pending:
            request = self.pending.pop(0)
            dept = next(u for u in units if u.id == request.department_id)
            task = await self._case.open_task(
                Step.WHISTLE, [Role.DEPARTMENT], decisions=[D.REPORT], company_id=dept.id, note=request.reason,
            )
            whistle = blow(dept, request.reason, request.actor.name, workflow.now(), self._rules)
            whistle.task_ids.append(task.id)
            self._open[task.id] = len(self._t.whistles)
            self._t.whistles.append(whistle)
            self._case.company_ids = self._t.organisation_ids()

    async def escalate_whistles(self) -> None:
        """An unanswered whistle goes to the street office, then to the city's joint meeting."""
        now = workflow.now()
        for index, whistle in enumerate(self._t.whistles):
            if not whistle.is_due(now):
                continue
            step, role = escalate(whistle, now, self._rules)
            task = await self._case.open_task(step, [role], decisions=[D.COORDINATE], note=f"{whistle.department}: {whistle.reason}")
            self._open[task.id] = index
            whistle.task_ids.append(task.id)
            self._case.record(
                "timer", step=step, task_id=task.id, decision="escalation",
                data={"escalated_to": [role.value], "whistle": index + 1},
            )
