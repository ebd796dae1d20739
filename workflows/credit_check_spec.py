"""物业企业月检查 as a registered process: the monthly check case, the schedule's workflow, the /credit/checks routes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from activities.credit_check import CreditCheckActivities
from core.registry import ProcessSpec, SessionFactory
from domain.credit_check import DECISION_LABELS, PROCESS_KIND, PROCESS_LABEL, RECTIFIED, STEP_LABELS, UNRECTIFIED, CreditCheckFacts, Step
from domain.rules import CREDIT_CHECK, CREDIT_CHECK_DEMO
from domain.tasks import Decision
from workflows.credit_check import CreditMonthlyCheckWorkflow, CreditMonthWorkflow


def activities(sessions: SessionFactory) -> Sequence[Callable[..., Any]]:
    checks = CreditCheckActivities(sessions)
    return [checks.first_working_day, checks.pairs, checks.save_result, checks.record_unrectified]


# No start input through the generic start path: the monthly schedule (or the bureau, by hand,
# through POST /credit/checks) runs CreditMonthWorkflow, which starts one case per street and company.
SPEC = ProcessSpec(
    kind=PROCESS_KIND, label=PROCESS_LABEL, workflow=CreditMonthlyCheckWorkflow, first_step=Step.CHECK,
    step_labels=STEP_LABELS, decision_labels=DECISION_LABELS,
    step_decisions={Step.CHECK: [Decision.SUBMIT], Step.RECTIFICATION: [Decision.SUBMIT], Step.RECHECK: [RECTIFIED, UNRECTIFIED]},
    facts_model=CreditCheckFacts, rules=CREDIT_CHECK, demo_rules=CREDIT_CHECK_DEMO, activities=activities,
    helper_workflows=(CreditMonthWorkflow,), router="api.routes.credit_check:router",
)
