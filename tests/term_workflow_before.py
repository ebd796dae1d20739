"""The committee term timer as it was before it continued as new each month: one run, one long timer.

A test starts a term under this code, stops its worker and lets the current code finish it, as a
deployment does to a timer that sleeps across it.
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.election import ElectionActivities, ReelectionClaim
    from domain.access import SYSTEM_ACTOR
    from domain.election import ElectionKind, ElectionStart, Trigger
    from workflows.election_models import ElectionInput
    from workflows.election_term import (
        ACTIVITY_RETRY,
        ACTIVITY_TIMEOUT,
        ELECTION_WORKFLOW,
        CommitteeTermInput,
        CommitteeTermResult,
    )


@workflow.defn(name="CommitteeTerm")
class CommitteeTermBeforeCheckpoints:
    """The run method of ``CommitteeTermWorkflow`` before the ``term-monthly-continue-as-new`` patch."""

    @workflow.run
    async def run(self, inp: CommitteeTermInput) -> CommitteeTermResult:
        fire_at = inp.term_end - inp.rules.reelection_lead
        if fire_at > workflow.now():
            await workflow.sleep(fire_at - workflow.now(), summary="re-election 90 days before the term ends")
        case_id = await workflow.execute_activity_method(
            ElectionActivities.claim_reelection,
            ReelectionClaim(estate_id=inp.estate_id, term_end=inp.term_end, at=workflow.now()),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        if case_id is not None:
            start = ElectionStart(
                estate_id=inp.estate_id, kind=ElectionKind.RE_ELECTION,
                description="业委会任期届满前九十日，系统自动启动换届选举",
            )
            await workflow.start_child_workflow(
                ELECTION_WORKFLOW,
                ElectionInput(case_id=case_id, request=start, initiator=SYSTEM_ACTOR, rules=inp.rules,
                              trigger=Trigger.TERM_END, term_end=inp.term_end),
                id=case_id, parent_close_policy=ParentClosePolicy.ABANDON,
            )
        return CommitteeTermResult(estate_id=inp.estate_id, fired_at=workflow.now(), case_id=case_id)
