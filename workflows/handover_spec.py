"""新旧物业交接 as a registered process: started by a tender as its child, never through the API."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from activities.handover import HandoverActivities
from core.registry import ProcessSpec, SessionFactory
from domain.handover import APPOINT, CONVENE, DECISION_LABELS, DISPUTE, PROCESS_KIND, PROCESS_LABEL, REFUSE, STEP_LABELS, Step
from domain.handover_facts import HandoverFacts
from domain.rules import HANDOVER, HANDOVER_DEMO
from domain.tasks import Decision as D
from workflows.handover import PropertyHandoverWorkflow


def activities(sessions: SessionFactory) -> Sequence[Callable[..., Any]]:
    handover = HandoverActivities(sessions)
    return [handover.add_bad_credit, handover.set_estate_company, handover.follow_up_tender_exists]


SPEC = ProcessSpec(
    kind=PROCESS_KIND, label=PROCESS_LABEL, workflow=PropertyHandoverWorkflow,
    first_step=Step.NOTICE, step_labels=STEP_LABELS, decision_labels=DECISION_LABELS,
    step_decisions={
        Step.EXIT: [D.CONFIRM, REFUSE], Step.INSPECTION: [D.SUBMIT], Step.ITEM_CHECK: [D.CONFIRM, DISPUTE],
        Step.REMEDY: [D.SUBMIT], Step.JOINT_MEETING: [CONVENE], Step.CORRECTION_ORDER: [D.SUBMIT],
        Step.EMERGENCY_APPOINTMENT: [APPOINT], Step.FOLLOW_UP_TENDER: [D.SUBMIT],
    },
    facts_model=HandoverFacts, rules=HANDOVER, demo_rules=HANDOVER_DEMO, activities=activities,
)
