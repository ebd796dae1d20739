"""矛盾纠纷 台账 销号 as a registered process (with its monthly report)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from activities.ticket import TicketActivities
from activities.ticket_report import TicketReportActivities
from core.registry import ProcessSpec, SessionFactory, StartArgs
from domain.rules import TICKET, TicketRules
from domain.ticket import DECISION_LABELS, PROCESS_KIND, PROCESS_LABEL, STEP_LABELS, Step, TicketStart
from domain.ticket import TicketDecision as D
from domain.ticket_facts import TicketFacts
from workflows.ticket import ComplaintTicketWorkflow
from workflows.ticket_models import TicketInput
from workflows.ticket_report import TicketMonthlyReportWorkflow


def start_input(args: StartArgs) -> TicketInput:
    assert isinstance(args.request, TicketStart) and isinstance(args.rules, TicketRules)
    return TicketInput(case_id=args.case_id, request=args.request, initiator=args.initiator, rules=args.rules)


def activities(sessions: SessionFactory) -> Sequence[Callable[..., Any]]:
    tickets, report = TicketActivities(sessions), TicketReportActivities(sessions)
    return [tickets.load_context, tickets.save_ledger, tickets.write_credit, report.generate]


SPEC = ProcessSpec(
    kind=PROCESS_KIND, label=PROCESS_LABEL, workflow=ComplaintTicketWorkflow,
    first_step=Step.INTAKE, step_labels=STEP_LABELS, decision_labels=DECISION_LABELS,
    step_decisions={
        Step.ACCEPTANCE: [D.SIGN, D.RETURN], Step.REASSIGNMENT: [D.ASSIGN], Step.CO_HANDLING: [D.SUBMIT],
        Step.HANDLING: [D.ANSWER, D.EXTEND], Step.EXTENSION: [D.APPROVE, D.REJECT],
        Step.CALLBACK: [D.SATISFIED, D.UNSATISFIED], Step.SUPERVISION: [D.CLOSE, D.REHANDLE],
        Step.OVERDUE_SUPERVISION: [D.ORDER],
        Step.WHISTLE: [D.REPORT], Step.WHISTLE_STREET: [D.COORDINATE], Step.WHISTLE_JOINT_MEETING: [D.COORDINATE],
    },
    facts_model=TicketFacts, rules=TICKET, start_input=start_input, activities=activities, helper_workflows=(TicketMonthlyReportWorkflow,),
    router="api.routes.ticket:router",
    read_policy="api.routes.ticket_view:READ_POLICY",
)
