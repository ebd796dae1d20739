"""The committee term's re-election timer (潍坊 Art. 40: the assembly is held by 90 days before the term ends).

One small workflow per registered term, id ``committee-term-<estate>-<yyyymmdd of the term end>``.
It sleeps on a durable timer until the re-election must start for its vote to close by that date
(``ElectionRules.reelection_start_lead``, 150 days before the term ends, the reasoning there), then
starts the re-election case as an abandoned child and ends. Timers armed before
``REELECTION_STARTS_EARLY`` keep their recorded 90 days. A Temporal Schedule was the alternative; a timer fits better:
the date is a single per-committee instant that changes with every election (a schedule is for
recurrences), the registry row and the timer are created together, the time-skipping test server
runs timers (it has no schedules), and a term that was replaced meanwhile simply finds its claim
refused and ends without starting anything.

A term lasts up to five years, and every code change in between would have to keep the timer's
history replaying for that long. So the timer sleeps at most ``checkpoint`` (30 days) per run
and then continues as new with the same input: each run's history is a handful of events, a
run never outlives a month of code changes, and a patch to this workflow can be retired a month
after it is deployed. Each closed run is archived (the sweep finds continued runs in Temporal's
listing). Timers started before this change still sleep in one run; ``workflow.patched`` keeps
their recorded histories replaying until they fire.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import AwareDatetime, BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.election import ElectionActivities, ReelectionClaim
    from domain.access import SYSTEM_ACTOR
    from domain.election import ElectionKind, ElectionStart, Trigger
    from domain.election_checks import reelection_starts_at
    from domain.rules import ELECTION, ElectionRules
    from workflows.election_models import ElectionInput

ELECTION_WORKFLOW = "OwnersCommitteeElection"
# Patch id: sleep at most a checkpoint per run, then continue as new (old runs slept in one timer).
TERM_CHECKPOINTS = "term-monthly-continue-as-new"
ACTIVITY_TIMEOUT = timedelta(seconds=60)
ACTIVITY_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30))
# Patch id: the timer starts the re-election early enough for its vote to close by the statutory date,
# instead of at that date (潍坊 Art. 40: the assembly is held by 90 days before the term ends).
REELECTION_STARTS_EARLY = "reelection-starts-early"


class CommitteeTermInput(BaseModel):
    estate_id: str
    # Aware only: a naive end could never be compared with the workflow's clock (潍坊 Art. 40 timer).
    term_end: AwareDatetime
    rules: ElectionRules = ELECTION
    # The longest one run sleeps before it continues as new (its code and history stay current): a
    # technical interval, not a period of law; the statutory date itself is ``reelection_starts_at``.
    checkpoint: timedelta = timedelta(days=30)


class CommitteeTermResult(BaseModel):
    """The re-election case the timer started, or None when the term had been replaced."""

    estate_id: str
    fired_at: datetime
    case_id: str | None


def term_workflow_id(estate_id: str, term_end: datetime) -> str:
    return f"committee-term-{estate_id}-{term_end.strftime('%Y%m%d')}"


@workflow.defn(name="CommitteeTerm")
class CommitteeTermWorkflow:
    """Waits for the re-election date of one term and starts the re-election case."""

    @workflow.run
    async def run(self, inp: CommitteeTermInput) -> CommitteeTermResult:
        if workflow.patched(REELECTION_STARTS_EARLY):
            fire_at, summary = reelection_starts_at(inp.term_end, inp.rules), "re-election starts so that its vote closes by 90 days before the term ends"
        else:
            fire_at, summary = inp.term_end - inp.rules.reelection_lead, "re-election 90 days before the term ends"
        if workflow.patched(TERM_CHECKPOINTS) and fire_at - workflow.now() > inp.checkpoint:
            await workflow.sleep(inp.checkpoint, summary="checkpoint: continue as new on the current code")
            workflow.continue_as_new(inp)
        if fire_at > workflow.now():
            await workflow.sleep(fire_at - workflow.now(), summary=summary)
        case_id = await workflow.execute_activity_method(
            ElectionActivities.claim_reelection,
            ReelectionClaim(estate_id=inp.estate_id, term_end=inp.term_end, at=workflow.now()),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        if case_id is not None:
            start = ElectionStart(
                estate_id=inp.estate_id, kind=ElectionKind.RE_ELECTION,
                description="业委会任期即将届满，系统自动启动换届选举（任期届满九十日前须完成选举）",
            )
            await workflow.start_child_workflow(
                ELECTION_WORKFLOW,
                ElectionInput(case_id=case_id, request=start, initiator=SYSTEM_ACTOR, rules=inp.rules,
                              trigger=Trigger.TERM_END, term_end=inp.term_end),
                id=case_id, parent_close_policy=ParentClosePolicy.ABANDON,
            )
        return CommitteeTermResult(estate_id=inp.estate_id, fired_at=workflow.now(), case_id=case_id)
