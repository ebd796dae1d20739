"""物业服务招标 as a registered process (it starts the handover as its child)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from activities.tender import TenderActivities
from core.registry import ProcessSpec, SessionFactory, StartArgs
from domain.rules import HANDOVER, HANDOVER_DEMO, TENDER, TENDER_DEMO, TenderRules
from domain.tasks import Decision as D
from domain.tender import (
    DECISION_LABELS,
    DECLINE_AWARD,
    DIRECT_SELECT,
    PROCESS_KIND,
    PROCESS_LABEL,
    RECUSE,
    REDRAW,
    RETENDER,
    STEP_LABELS,
    Step,
    TenderStart,
)
from domain.tender_facts import TenderFacts
from workflows.tender import PropertyTenderWorkflow
from workflows.tender_models import TenderInput


def start_input(args: StartArgs) -> TenderInput:
    assert isinstance(args.request, TenderStart) and isinstance(args.rules, TenderRules)
    # One clock: the publication time the API checked the bid deadline against (招标投标法 Art. 24).
    return TenderInput(
        case_id=args.case_id, request=args.request, initiator=args.initiator, rules=args.rules,
        handover_rules=HANDOVER_DEMO if args.demo else HANDOVER, published_at=args.at,
    )


def activities(sessions: SessionFactory) -> Sequence[Callable[..., Any]]:
    tender = TenderActivities(sessions)
    return [tender.load_context, tender.check_company, tender.register_bid, tender.expert_pool, tender.record_result,
            tender.award_declined]


SPEC = ProcessSpec(
    kind=PROCESS_KIND, label=PROCESS_LABEL, workflow=PropertyTenderWorkflow,
    first_step=Step.BIDDING, step_labels=STEP_LABELS, decision_labels=DECISION_LABELS,
    step_decisions={
        Step.TENDER_FAILED: [RETENDER, DIRECT_SELECT], Step.DIRECT_SELECTION: [D.APPROVE, D.REJECT],
        Step.POOL_SHORTFALL: [REDRAW], Step.EVALUATION: [D.SUBMIT, RECUSE], Step.OBJECTION: [D.ANSWER, D.UPHOLD],
        Step.CONTRACT: [D.CONFIRM, DECLINE_AWARD],
    },
    facts_model=TenderFacts, rules=TENDER, demo_rules=TENDER_DEMO, start_input=start_input, activities=activities,
    router="api.routes.tender:router",
    read_policy="api.routes.tender_view:READ_POLICY",
)
