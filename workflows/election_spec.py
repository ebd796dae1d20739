"""业委会选举换届 as a registered process (with its committee-term timer)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from activities.election import ElectionActivities
from core.registry import ProcessSpec, SessionFactory, StartArgs
from domain.election import DECISION_LABELS, PROCESS_KIND, PROCESS_LABEL, STEP_LABELS, ElectionStart, Step
from domain.election_facts import ElectionFacts
from domain.rules import ELECTION, ELECTION_DEMO, ElectionRules
from domain.tasks import Decision as D
from workflows.election import OwnersCommitteeElectionWorkflow
from workflows.election_models import ElectionInput
from workflows.election_term import CommitteeTermWorkflow


def start_input(args: StartArgs) -> ElectionInput:
    assert isinstance(args.request, ElectionStart) and isinstance(args.rules, ElectionRules)
    return ElectionInput(case_id=args.case_id, request=args.request, initiator=args.initiator, rules=args.rules)


def activities(sessions: SessionFactory) -> Sequence[Callable[..., Any]]:
    e = ElectionActivities(sessions)
    return [
        e.load_context, e.check_candidates, e.open_voting, e.tally, e.record_failed_attempts, e.appoint_acting_body,
        e.register_committee, e.finish_handover, e.set_certificate, e.claim_reelection,
    ]


SPEC = ProcessSpec(
    kind=PROCESS_KIND, label=PROCESS_LABEL, workflow=OwnersCommitteeElectionWorkflow,
    first_step=Step.REPORTED, step_labels=STEP_LABELS, decision_labels=DECISION_LABELS,
    step_decisions={
        Step.REELECTION_CONVENE: [D.CONFIRM], Step.GROUP_FORMATION: [D.SUBMIT], Step.GROUP_PUBLICATION: [D.CONFIRM],
        Step.QUALIFICATION_REVIEW: [D.APPROVE, D.RETURN], Step.OBJECTION: [D.ANSWER, D.UPHOLD],
        Step.PARTY_MEMBER_ACKNOWLEDGEMENT: [D.CONFIRM], Step.FIRST_MEETING: [D.SUBMIT], Step.FILING: [D.SUBMIT],
        Step.HANDOVER: [D.CONFIRM], Step.CERTIFICATE: [D.APPROVE], Step.ACTING_FORMATION: [D.SUBMIT],
    },
    facts_model=ElectionFacts, rules=ELECTION, demo_rules=ELECTION_DEMO, start_input=start_input, activities=activities,
    helper_workflows=(CommitteeTermWorkflow,), router="api.routes.election:router",
    read_policy="api.routes.election_view:READ_POLICY",
)
