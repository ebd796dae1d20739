"""督办: a ticket put under supervision by its unit's supervisor (潍坊12345条例 Art. 26).

An overdue ticket (逾期未办理, Art. 26 (2)) is not only carded red: on its first overdue day of a
handling round the unit's supervisor (the street office for a company or community, the hotline
centre for a department or street) gets a task to issue the supervision order, while the unit goes
on handling it; the order is recorded on the ticket, and a reply first makes it moot. A ticket
unsatisfied after re-handling goes to the same supervisor to close or order re-handling
(``ComplaintTicketWorkflow._supervision``); both are recorded here, one line per supervision.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.routing import Unit
    from domain.rules import TicketRules
    from domain.tasks import HumanTask
    from domain.ticket import Step
    from domain.ticket import TicketDecision as D
    from domain.ticket_facts import SUPERVISION_CAUSE_LABELS, Supervision, SupervisionCause
    from domain.ticket_state import TicketState
    from workflows.human_tasks import CaseWorkflow

# Patch id: an overdue ticket is put under supervision (a task for the unit's supervisor), not only carded red.
OVERDUE_SUPERVISION = "ticket-overdue-supervision"


class TicketSupervision:
    """The supervisions of one ticket: the open overdue order and every supervision's record."""

    def __init__(self, case: CaseWorkflow, state: TicketState, rules: TicketRules) -> None:
        self._case = case
        self._t = state
        self._rules = rules
        self._open: HumanTask | None = None  # the overdue order still to be issued

    def tasks(self) -> list[HumanTask]:
        """The overdue order still open, to wait for beside the handling task."""
        return [self._open] if self._open is not None and self._open.is_open else []

    async def overdue(self, lead: Unit, round_no: int) -> None:
        """Art. 26 (2): the ticket is overdue; its unit's supervisor issues a supervision order."""
        self._t.supervised = True
        task = await self._case.open_task(
            Step.OVERDUE_SUPERVISION, [lead.supervisor_role], decisions=[D.ORDER],
            sla_working_days=self._rules.supervision_order_working_days, note=f"{lead.name}：逾期未办结（第 {round_no} 轮办理）",
        )
        self._open = task
        self._opened(SupervisionCause.OVERDUE, lead, round_no, task)
        self._case.record("system", step=Step.OVERDUE_SUPERVISION, task_id=task.id,
                          comment="热线事项逾期未办理，列入督办（潍坊12345条例 Art. 26 (2)）",
                          data={"supervisor": lead.supervisor_role.value, "unit": lead.name, "round": round_no})

    def unsatisfied(self, lead: Unit, round_no: int, task: HumanTask) -> None:
        """Unsatisfied after re-handling: the supervisor's task to close or order re-handling is recorded."""
        self._opened(SupervisionCause.UNSATISFIED, lead, round_no, task)

    def decided(self, task: HumanTask) -> None:
        """Record what the supervisor decided on ``task``."""
        decision = self._case.decision_of(task)
        for s in self._t.supervisions:
            if s.task_id == task.id:
                s.outcome, s.by, s.order, s.decided_at = task.outcome, decision.actor.name, decision.comment, task.closed_at
        if task is self._open:
            self._open = None

    def replied(self) -> None:
        """The unit has replied: an overdue order not yet issued is no longer needed."""
        if self._open is not None and self._open.is_open:
            self._case.cancel_task(self._open, "the unit has replied before the supervision order was issued")
            for s in self._t.supervisions:
                if s.task_id == self._open.id:
                    s.outcome = "cancelled"
        self._open = None

    def _opened(self, cause: SupervisionCause, lead: Unit, round_no: int, task: HumanTask) -> None:
        self._t.supervisions.append(Supervision(
            cause=cause, cause_label=SUPERVISION_CAUSE_LABELS[cause], round=round_no, unit=lead.name,
            supervisor=lead.supervisor_role, task_id=task.id, at=workflow.now(),
        ))
