"""The toy approval's registry line."""

from __future__ import annotations

from core.registry import ProcessSpec, StartArgs
from domain.access import Scope
from domain.tasks import Decision as D
from tests.toy_process.domain import DECISION_LABELS, PROCESS_KIND, PROCESS_LABEL, STEP_LABELS, Step, ToyFacts, ToyRules, ToyStart
from tests.toy_process.models import ToyInput
from tests.toy_process.workflow import ToyApprovalWorkflow


def start_input(args: StartArgs) -> ToyInput:
    assert isinstance(args.request, ToyStart) and isinstance(args.rules, ToyRules)
    return ToyInput(case_id=args.case_id, request=args.request, initiator=args.initiator, rules=args.rules,
                    scope=args.scope or Scope(estate_id=args.request.estate_id))


SPEC = ProcessSpec(
    kind=PROCESS_KIND, label=PROCESS_LABEL, workflow=ToyApprovalWorkflow, first_step=Step.REQUESTED,
    step_labels=STEP_LABELS, decision_labels=DECISION_LABELS,
    step_decisions={Step.STREET_CHECK: [D.APPROVE, D.REJECT], Step.BUREAU_APPROVAL: [D.APPROVE, D.REJECT]},
    facts_model=ToyFacts, rules=ToyRules(), start_input=start_input, router="tests.toy_process.routes:router",
)
