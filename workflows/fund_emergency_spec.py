"""维修资金应急使用 as a registered process."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from activities.fund_emergency import FundEmergencyActivities
from core.registry import ProcessSpec, SessionFactory, StartArgs
from domain.fund_emergency import PROCESS_KIND, PROCESS_LABEL, STEP_LABELS, FundEmergencyStart, Step
from domain.fund_facts import FundFacts
from domain.rules import FUND_EMERGENCY, FUND_EMERGENCY_DEMO, FundEmergencyRules
from domain.tasks import Decision as D
from workflows.fund_emergency import MaintenanceFundEmergencyWorkflow
from workflows.fund_emergency_models import FundEmergencyInput


def start_input(args: StartArgs) -> FundEmergencyInput:
    assert isinstance(args.request, FundEmergencyStart) and isinstance(args.rules, FundEmergencyRules)
    return FundEmergencyInput(case_id=args.case_id, request=args.request, initiator=args.initiator, rules=args.rules)


def activities(sessions: SessionFactory) -> Sequence[Callable[..., Any]]:
    fund = FundEmergencyActivities(sessions)
    return [fund.load_context, fund.pay, fund.freeze_notice]


SPEC = ProcessSpec(
    kind=PROCESS_KIND, label=PROCESS_LABEL, workflow=MaintenanceFundEmergencyWorkflow,
    first_step=Step.REPORTED, step_labels=STEP_LABELS,
    step_decisions={
        Step.ONSITE_VERIFICATION: [D.CONFIRM, D.REJECT], Step.STREET_TAKEOVER: [D.ORGANISE], Step.STREET_URGE: [D.URGE],
        Step.BUDGET_SUBMISSION: [D.SUBMIT], Step.PRICE_REVIEW: [D.APPROVE, D.RETURN, D.REJECT],
        Step.BUREAU_REVIEW: [D.APPROVE, D.RETURN, D.REJECT], Step.TOP_UP: [D.RETRY],
        Step.COMPLETION_ACCEPTANCE: [D.CONFIRM, D.RETURN], Step.SETTLEMENT_SUBMISSION: [D.SUBMIT],
        Step.SETTLEMENT_REVIEW: [D.APPROVE, D.RETURN], Step.OBJECTION: [D.ANSWER, D.UPHOLD],
    },
    facts_model=FundFacts, rules=FUND_EMERGENCY, demo_rules=FUND_EMERGENCY_DEMO, start_input=start_input, activities=activities,
    router="api.routes.fund_emergency:router",
    read_policy="api.routes.fund_view:READ_POLICY",
)
