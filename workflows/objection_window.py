"""One objection window: a notice period in which objections are taken, each answered by a task.

A process composes one :class:`ObjectionWindow` and uses it from three places::

    # __init__: what the notice is called and how objections are refused
    self._window = ObjectionWindow(self, notice_step=Step.PUBLIC_NOTICE, outside="objections are taken only during the notice")
    # the update's validator (and again its handler, which ``accept`` does itself)
    self._window.check_open()
    # the update's handler
    self._window.accept(objection.actor, Role.OWNER, objection.text)
    return await self.answer()
    # the process: the notice runs until its end and every answer is in
    upheld = await self._window.run(NoticePeriod(start=now, end=end), AnswerPolicy(step=..., roles=(...)))

``run`` opens one answer task per objection (roles, SLA in working days or a calendar-day period,
escalation from the :class:`AnswerPolicy`) and returns the answer task of an upheld objection, or
None once the period has passed and every objection is answered. Its commands are those of the
loops it replaced (the fund's notice, the tender's publicity), so their recorded histories replay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.access import Actor, Role
    from domain.objections import NoticePeriod, Objection
    from domain.tasks import Decision, DecisionRefused, HumanTask, RefusalKind, TaskStatus
    from workflows.calendar_periods import calendar_sla, statute_party_deadline
    from workflows.human_tasks import CaseWorkflow, refusal


@dataclass(frozen=True)
class AnswerPolicy:
    """How each objection is answered: at which step, by whom, by when, and who is alerted when late."""

    step: str
    roles: tuple[Role, ...]
    decisions: tuple[str, ...] = (Decision.ANSWER, Decision.UPHOLD)
    # A deadline in working days (工作日, on the official holiday calendar) ...
    working_days: int | None = None
    # ... or a calendar-day period (日), ending at 24:00 of its last day, off a rest day (``statute_party_deadline``).
    period: timedelta | None = None
    # The yellow card this long before a calendar-day deadline: a value of the case's rules, required with ``period``.
    remind_before: timedelta | None = None
    escalate_to: tuple[Role, ...] = ()

    def __post_init__(self) -> None:
        if self.period is not None and self.remind_before is None:
            raise ValueError("a calendar-day answer period needs its yellow card from the case's rules (remind_before)")


class ObjectionWindow:
    """Objections during one notice at a time; the objections of every notice the case ran, in order."""

    def __init__(
        self,
        case: CaseWorkflow,
        *,
        notice_step: str,
        outside: str,
        max_objections: int | None = None,
        full: str = "too many objections on this notice",
        upheld_ends_notice: bool = True,
        upheld_cancels: str = "an objection was upheld; the notice ends",
        passed_comment: str | None = None,
    ) -> None:
        """``outside``/``full``: why an objection is refused when no notice runs / the notice has ``max_objections``.

        ``upheld_ends_notice``: an upheld objection ends the notice (its other answer tasks are
        cancelled with ``upheld_cancels``); otherwise it is recorded and the notice runs on.
        ``passed_comment``: when the period passes with answers outstanding, the case re-enters the
        notice step with this comment, so the timeline shows why it still waits.
        """
        self._case = case
        self._notice_step = notice_step
        self._outside = outside
        self._max = max_objections
        self._full = full
        self._upheld_ends = upheld_ends_notice
        self._upheld_cancels = upheld_cancels
        self._passed_comment = passed_comment
        self._period: NoticePeriod | None = None
        self._objections: list[Objection] = []
        self._first = 0  # index of the current notice's first objection
        self._unanswered: list[Objection] = []

    @property
    def objections(self) -> list[Objection]:
        """Every objection of every notice, with its answer once given."""
        return list(self._objections)

    @property
    def period(self) -> NoticePeriod | None:
        """The current (or last) notice period."""
        return self._period

    # ----------------------------------------------------------------- the update's side

    def check_open(self) -> None:
        """Refuse (as a validator does) unless a notice is taking objections and has room for one more."""
        period = self._period
        if period is None or not period.takes_objections(workflow.now()):
            raise refusal(DecisionRefused(RefusalKind.CONFLICT, self._outside))
        if self._max is not None and len(self._objections) - self._first >= self._max:
            raise refusal(DecisionRefused(RefusalKind.CONFLICT, self._full))

    def accept(
        self, actor: Actor, role: Role, text: str, *, kind: str | None = None, kind_label: str | None = None,
        household_id: str | None = None, data: dict[str, Any] | None = None,
    ) -> Objection:
        """Take an objection (checked again: validators of updates sent together all run first)."""
        self.check_open()
        objection = Objection(
            by=actor.subject, name=actor.name, organisation=actor.organisation, text=text, at=workflow.now(),
            kind=kind, kind_label=kind_label, household_id=household_id,
        )
        self._objections.append(objection)
        self._unanswered.append(objection)
        self._case.mark_acted()
        self._case.record("decision", step=self._notice_step, actor=actor, role=role, decision="object", comment=text, data=data)
        return objection

    # ----------------------------------------------------------------- the process's side

    async def run(self, period: NoticePeriod, answers: AnswerPolicy) -> HumanTask | None:
        """Run the notice until its end and every answer; the upheld objection's task ends it early."""
        self._period = period
        self._first = len(self._objections)
        pending: list[HumanTask] = []
        while True:
            await self._open_answer_tasks(answers, pending)
            open_tasks = [t for t in pending if t.is_open]
            now = workflow.now()
            passed = now >= period.end
            if passed and not open_tasks:
                period.closed = now
                return None
            if passed and period.passed_at is None:
                self._note_passed(period, now, len(open_tasks))
            done = await self._case.wait_for(open_tasks, until=None if passed else period.end, interrupt=lambda: bool(self._unanswered))
            if done is None:
                continue
            # Every answer that came in, in the order the objections were raised (two may land together).
            for task in [t for t in pending if not t.is_open]:
                pending.remove(task)
                if task.status != TaskStatus.DONE:
                    continue
                self._record_answer(task)
                if task.outcome == Decision.UPHOLD and self._upheld_ends:
                    for other in pending:
                        self._case.cancel_task(other, self._upheld_cancels)
                    period.upheld = task.id
                    return task

    async def _open_answer_tasks(self, answers: AnswerPolicy, pending: list[HumanTask]) -> None:
        while self._unanswered:
            objection = self._unanswered.pop(0)
            task = await self._case.open_task(
                answers.step, list(answers.roles), decisions=list(answers.decisions), sla_working_days=answers.working_days,
                escalate_to=list(answers.escalate_to), note=_note(objection),
            )
            if answers.period is not None:
                # The answer is the answering party's to give: off a rest day (民法典 Art. 203 para. 1).
                due = await statute_party_deadline(workflow.now(), answers.period)
                assert answers.remind_before is not None  # checked when the policy was made
                calendar_sla(task, due, answers.remind_before, list(answers.escalate_to))
            objection.task_id = task.id
            pending.append(task)

    def _record_answer(self, task: HumanTask) -> None:
        answer = self._case.decision_of(task)
        for objection in self._objections:
            if objection.task_id == task.id:
                objection.outcome = task.outcome
                objection.answer = answer.comment

    def _note_passed(self, period: NoticePeriod, now: datetime, still_open: int) -> None:
        period.passed_at = now
        if self._passed_comment is not None:
            self._case.enter_step(self._notice_step, comment=self._passed_comment, open_objections=still_open)


def _note(objection: Objection) -> str:
    """The answer task's note: the objection, with what it is about where the process says."""
    return f"{objection.kind_label}：{objection.text}" if objection.kind_label else objection.text
