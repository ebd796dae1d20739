"""The dates a re-election must be held by (潍坊 Art. 40), carried on the case as tasks with cards and escalation.

Two dates: the term's (the vote closes by 90 days before the term ends) and the 换届小组's (the
election within 90 days of its formation, a period the street must meet, so moved off a rest day).
Each is a task nobody decides: it shows its yellow card ``statutory_remind_before`` ahead, turns
red at the date and escalates after it, in the inbox and on the timeline like any task, and the
workflow closes it when a valid result is counted, recording whether the vote closed in time.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.access import Role
    from domain.election import Step
    from domain.election_facts import ElectionPeriods
    from domain.rules import ElectionRules
    from domain.tasks import HumanTask, TaskStatus
    from workflows.election_tasks import party_period_end
    from workflows.human_tasks import CaseWorkflow

# Outcomes of a date's task, for the timeline.
HELD, HELD_LATE = "held", "held_late"


class ElectionDeadlines:
    """The statutory dates of one election, as open tasks until a valid vote closes them."""

    def __init__(self, case: CaseWorkflow, rules: ElectionRules, periods: ElectionPeriods) -> None:
        self._case = case
        self._rules = rules
        self._periods = periods
        self._tasks: list[HumanTask] = []

    def waiting(self, until: datetime | None) -> list[HumanTask]:
        """The dates still open, for a wait to run their timers; not one due exactly when the wait ends.

        A vote that closes at 24:00 of the date itself closed in time: its date's red card must not
        fire in the same instant as the close, before the tally can say so.
        """
        return [t for t in self._tasks if t.is_open and (until is None or t.due_at != until)]

    async def track_term(self, vote_by: datetime) -> None:
        """潍坊 Art. 40: the committee holds the re-election assembly by 90 days before its term ends."""
        self._periods.statutory_vote_by = vote_by
        await self._track(
            Step.STATUTORY_DATE, [Role.OWNERS_COMMITTEE], vote_by, escalate_to=[Role.STREET_OFFICE],
            note="业委会任期届满九十日前应召开业主大会完成换届选举（潍坊 Art. 40）；计票有效后自动办结",
        )

    async def track_group(self, formed: datetime) -> None:
        """潍坊 Art. 40: the 换届小组 elects the new committee within 90 days of its formation."""
        due = await party_period_end(formed, self._rules.reelection_election_period)
        self._periods.election_due_at = due
        await self._track(
            Step.GROUP_DEADLINE, [Role.STREET_OFFICE], due, escalate_to=[Role.HOUSING_BUREAU],
            note="换届小组成立之日起九十日内选举产生新一届业主委员会（潍坊 Art. 40）；计票有效后自动办结",
        )

    async def track_first_assembly(self, formed: datetime) -> None:
        """山东 Art. 22 para. 3: the 筹备组 holds the first assembly within 90 days of its formation."""
        due = await party_period_end(formed, self._rules.first_assembly_period)
        self._periods.election_due_at = due
        await self._track(
            Step.ASSEMBLY_DEADLINE, [Role.STREET_OFFICE], due, escalate_to=[Role.HOUSING_BUREAU],
            note="筹备组应当自成立之日起九十日内组织召开首次业主大会会议（山东 Art. 22）；计票有效后自动办结",
        )

    async def _track(self, step: Step, roles: list[Role], due: datetime, *, escalate_to: list[Role], note: str) -> None:
        task = await self._case.open_task(step, roles, decisions=[], escalate_to=escalate_to, note=note)
        now = workflow.now()
        task.due_at = due
        task.remind_at = max(now, due - self._rules.statutory_remind_before)
        task.escalate_at = due + self._rules.escalate_after
        self._tasks.append(task)

    def held(self, vote_closed_at: datetime) -> None:
        """A valid result was counted: close each open date, in time when the vote closed by it."""
        for task in self._tasks:
            if not task.is_open:
                continue
            assert task.due_at is not None
            met = vote_closed_at <= task.due_at
            task.status, task.outcome, task.closed_at = TaskStatus.DONE, HELD if met else HELD_LATE, workflow.now()
            if task.step == Step.STATUTORY_DATE:
                self._periods.statutory_vote_by_met = met
            else:
                self._periods.election_due_met = met
            self._case.record(
                "system", step=task.step, task_id=task.id, decision=task.outcome,
                comment="换届选举已在法定期限内完成" if met else "换届选举超过法定期限完成",
                data={"due_at": task.due_at.isoformat(), "vote_closed_at": vote_closed_at.isoformat(), "met": met},
            )
        self._case.touch()
