"""物业企业信用季度考评 as a registered process: the quarterly case, its schedule's workflow, the /credit routes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from activities.credit import CreditActivities
from core.registry import ProcessSpec, SessionFactory
from domain.credit_facts import DECISION_LABELS, PROCESS_KIND, PROCESS_LABEL, STEP_LABELS, CreditAssessmentFacts, Step
from domain.rules import CREDIT, CREDIT_DEMO
from domain.tasks import Decision
from workflows.credit import CreditAssessmentWorkflow, CreditQuarterWorkflow


def activities(sessions: SessionFactory) -> Sequence[Callable[..., Any]]:
    credit = CreditActivities(sessions)
    return [credit.draft, credit.adjust, credit.publish, credit.revoke]


# No start input through the generic start path: the quarterly schedule (or the bureau, by hand,
# through POST /credit/assessments) runs CreditQuarterWorkflow, which starts the quarter's case.
SPEC = ProcessSpec(
    kind=PROCESS_KIND, label=PROCESS_LABEL, workflow=CreditAssessmentWorkflow, first_step=Step.DRAFTING,
    step_labels=STEP_LABELS, decision_labels=DECISION_LABELS,
    step_decisions={Step.BUREAU_REVIEW: [Decision.APPROVE], Step.OBJECTION_ANSWER: [Decision.ANSWER, Decision.UPHOLD]},
    facts_model=CreditAssessmentFacts, rules=CREDIT, demo_rules=CREDIT_DEMO, activities=activities,
    helper_workflows=(CreditQuarterWorkflow,), router="api.routes.credit:router",
)
