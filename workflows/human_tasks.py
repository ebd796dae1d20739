"""The human-task mechanism every process workflow shares.

A process workflow subclasses :class:`CaseWorkflow`. It opens tasks, waits for them with
``await self.wait_for(...)`` and moves on according to the decision. This base class owns:

- decisions as a Workflow Update (``decide``) whose validator refuses a closed task, a role or
  jurisdiction that does not cover it, a decision not allowed at the step, or invalid data;
- countersign tasks (every named party must confirm; any party may refuse);
- withdrawal by the initiator before anyone has acted (``withdraw``);
- SLA timers per task: yellow reminder, red overdue, escalation to a supervisor's role;
- the read model: after every change the case summary, the inbox rows and the new audit
  entries are written by one local activity before an update returns, so the caller's next
  read sees what it just did.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel
from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.cases import CaseActivities, SlaRequest
    from domain.access import Role
    from domain.audit import WorkflowAuditHead
    from domain.cases import FINAL_STATUSES, CaseAck, CaseSnapshot, CaseStatus, Projection
    from domain.tasks import (
        Decision,
        DecisionInput,
        DecisionRefused,
        HumanTask,
        ReassignInput,
        RefusalKind,
        SignOff,
        TaskStatus,
        WithdrawInput,
        acting_role,
        check_decision,
        check_reassign,
        fire_sla,
        next_sla_moment,
    )
    from workflows.case_state import iso
    from workflows.task_deadlines import WorkingDayDeadlines

M = TypeVar("M", bound=BaseModel)
# The data model each (step, decision) pair requires, declared by each process's workflow class.
DecisionModels = dict[tuple[str, str], type[BaseModel]]

PROJECTION_TIMEOUT = timedelta(seconds=30)
# Patch id: one SLA timer per wake-up moment instead of one per wait (changes the timer commands).
ONE_TIMER_PER_MOMENT = "one-timer-per-wake-moment"


class CaseWithdrawn(Exception):
    """Raised inside a process when its initiator withdrew the case."""


def refusal(exc: DecisionRefused) -> ApplicationError:
    """The error a validator raises; its type tells the API which HTTP status to answer."""
    return ApplicationError(exc.detail, {"errors": exc.errors}, type=f"Refused.{exc.kind.value}", non_retryable=True)


class CaseWorkflow(WorkingDayDeadlines):
    """Base of every process workflow: tasks, decisions, timers and the read model."""

    kind: ClassVar[str]
    kind_label: ClassVar[str]
    step_labels: ClassVar[dict[str, str]]
    # (step, decision) -> the pydantic model its ``data`` must satisfy.
    decision_data: ClassVar[DecisionModels] = {}

    def check_in_context(self, task: HumanTask, decision: DecisionInput, data: BaseModel | None) -> None:
        """Process-specific checks that need the case's state (e.g. approved ≤ requested); override."""

    # ----------------------------------------------------------------- process hooks

    # ----------------------------------------------------------------- updates and queries

    @workflow.update
    async def decide(self, decision: DecisionInput) -> CaseAck:
        """Record a decision on an open task and return the case as it stands afterwards."""
        # Validators of updates delivered together all run before their handlers, so the state a
        # validator saw may have changed (two signatures of one party): check again, atomically.
        self._validate_decide(decision)
        task = self._tasks[decision.task_id]
        role = acting_role(task, decision.actor)
        now = workflow.now()
        self._acted = True
        data = dict(decision.data)
        if decision.attachments:
            data["attachments"] = list(decision.attachments)
        self.record(
            "decision", step=task.step, task_id=task.id, actor=decision.actor, role=role,
            decision=decision.decision, comment=decision.comment, data=data,
        )
        if task.countersign and decision.decision == Decision.CONFIRM:
            task.signed.append(
                SignOff(role=role, subject=decision.actor.subject, name=decision.actor.name, at=now, comment=decision.comment)
            )
            if not task.pending_parties():
                self._close_task(task, Decision.CONFIRM, decision)
        else:
            self._close_task(task, decision.decision, decision)
        return await self.answer()

    @decide.validator
    def _validate_decide(self, decision: DecisionInput) -> None:
        try:
            if self._status in FINAL_STATUSES:
                raise DecisionRefused(RefusalKind.CONFLICT, f"the case is {self._status.value}")
            task = self._tasks.get(decision.task_id)
            data = check_decision(task, decision, self.decision_data)
            assert task is not None
            self.check_in_context(task, decision, data)
        except DecisionRefused as exc:
            raise refusal(exc) from None

    @workflow.update
    async def ready(self) -> CaseAck:
        """Answer once the case has reached its first waiting point (sent together with the start)."""
        await workflow.wait_condition(lambda: 0 <= self._version <= self._projected)
        return self.ack()

    @workflow.update
    async def withdraw(self, request: WithdrawInput) -> CaseAck:
        """The initiator takes the case back (撤回) before anyone has acted on it."""
        self._validate_withdraw(request)
        self._withdrawal = request
        info = workflow.current_update_info()
        self._withdrawal_update = info.id if info is not None else None
        return await self.answer()

    @withdraw.validator
    def _validate_withdraw(self, request: WithdrawInput) -> None:
        if self._status in FINAL_STATUSES:
            raise refusal(DecisionRefused(RefusalKind.CONFLICT, f"the case is {self._status.value}"))
        if request.actor.subject != self._initiator.subject:
            raise refusal(DecisionRefused(RefusalKind.FORBIDDEN, "only the initiator can withdraw the case"))
        if self._acted or self._withdrawal is not None:
            raise refusal(DecisionRefused(RefusalKind.CONFLICT, "someone has already acted on the case"))

    @workflow.update
    async def reassign(self, request: ReassignInput) -> CaseAck:
        """A supervisor hands an open task to a named person (转办); only they (or the supervisor) may decide it."""
        self._validate_reassign(request)
        task = self._tasks[request.task_id]
        previous = task.assignee
        task.assignee = request.assignee
        role = next(r for r in request.actor.roles if r in task.escalate_to)
        self.record(
            "decision", step=task.step, task_id=task.id, actor=request.actor, role=role, decision="reassign",
            comment=request.reason, data={"assignee": request.assignee, "previous": previous},
        )
        return await self.answer()

    @reassign.validator
    def _validate_reassign(self, request: ReassignInput) -> None:
        try:
            if self._status in FINAL_STATUSES:
                raise DecisionRefused(RefusalKind.CONFLICT, f"the case is {self._status.value}")
            check_reassign(self._tasks.get(request.task_id), request)
        except DecisionRefused as exc:
            raise refusal(exc) from None

    @workflow.signal
    def resync(self) -> None:
        """Write the read model again (the API asks after a decision failed inside a workflow task).

        The projection that follows replaces whatever a failed task wrote with what this state
        holds; a signal, not an update, so it waits in the history while a task keeps failing.
        """
        self.touch()

    @workflow.query
    def snapshot(self) -> CaseSnapshot:
        """The case as the read model stores it."""
        return CaseSnapshot(
            case_id=self._case_id, kind=self.kind, title=self._title, status=self._status, step=self._step,
            step_label=self.step_labels.get(self._step, self._step), scope=self._scope,
            company_ids=list(self._company_ids), initiator=self._initiator, created_at=self._created_at,
            updated_at=workflow.now(), closed_at=self._closed_at, approved_at=self._approved_at,
            facts=self.facts_json(), tasks=list(self._tasks.values()), version=self._version,
        )

    @workflow.query
    def audit_head(self) -> WorkflowAuditHead:
        """How many timeline events this workflow has projected into the audit log: the chain's second anchor.

        A query (no command), so histories recorded before it replay unchanged.
        """
        return WorkflowAuditHead(case_id=self._case_id, events_projected=self._events_projected)

    # ----------------------------------------------------------------- tasks

    async def open_task(
        self,
        step: str,
        roles: list[Role],
        *,
        decisions: list[str],
        countersign: bool = False,
        company_id: str | None = None,
        sla_working_days: int | None = None,
        remind_before: int = 1,
        escalate_after: int = 1,
        escalate_to: list[Role] | None = None,
        note: str | None = None,
        sla_start: datetime | None = None,
    ) -> HumanTask:
        """Open a task for ``roles`` at ``step``; with an SLA it gets reminder, due and escalation times.

        ``sla_start``: the moment the working days count from when it is not now (an event of a day that has ended).
        """
        now = workflow.now()
        task = HumanTask(
            id=f"t{len(self._tasks) + 1}", step=step, step_label=self.step_labels.get(step, step),
            candidate_roles=list(roles), scope=self._scope.with_company(company_id), decisions=list(decisions),
            countersign=list(roles) if countersign else [], created_at=now, escalate_to=list(escalate_to or []),
            note=note,
        )
        if sla_working_days is not None:
            await self.count_deadlines(
                task, SlaRequest(start=sla_start or now, working_days=sla_working_days, remind_before=remind_before, escalate_after=escalate_after),
            )
        self._tasks[task.id] = task
        self.record("step", step=step, task_id=task.id,
                    data={"opened": [r.value for r in roles], "due_at": iso(task.due_at), **self.calendar_flag(task)})
        self.touch()
        return task

    def decision_of(self, task: HumanTask) -> DecisionInput:
        """The decision that closed ``task``."""
        return self._decided[task.id]

    def data_of(self, task: HumanTask, model: type[M]) -> M:
        """The validated data of the decision that closed ``task``, as ``model``."""
        decision = self._decided[task.id]
        data = check_decision_data(self.decision_data, task.step, decision)
        if not isinstance(data, model):
            raise TypeError(f"the decision on {task.id} carries no {model.__name__}")
        return data

    def cancel_task(self, task: HumanTask, reason: str) -> None:
        """Close a task nobody needs any more (e.g. superseded by a takeover)."""
        if task.is_open:
            task.status = TaskStatus.CANCELLED
            task.closed_at = workflow.now()
            task.note = reason
            self.record("system", step=task.step, task_id=task.id, comment=reason, data={"cancelled": True})
            self.touch()

    def _close_task(self, task: HumanTask, outcome: str, decision: DecisionInput) -> None:
        task.status = TaskStatus.DONE
        task.outcome = outcome
        task.closed_at = workflow.now()
        self._decided[task.id] = decision

    async def wait_for(
        self, tasks: list[HumanTask], until: datetime | None = None, interrupt: Callable[[], bool] | None = None,
    ) -> HumanTask | None:
        """Wait until one of ``tasks`` is decided (returned), ``until`` passes or ``interrupt()`` holds (None).

        SLA timers of the open tasks fire meanwhile, and every change is projected as it happens.
        """
        while True:
            # Check before projecting: a decided task moves the process on to its next waiting
            # point, and that is the state the decision's caller should get back.
            for task in tasks:
                if not task.is_open:
                    return task
            if self._withdrawal is not None:
                raise CaseWithdrawn()
            now = workflow.now()
            if (until is not None and now >= until) or (interrupt is not None and interrupt()):
                return None
            await self.sync()
            wake = next_sla_moment(tasks, until)
            if wake is not None and wake <= now:
                self._fire_timers(tasks, now)
                continue
            woken: Callable[[], bool] = lambda: (  # noqa: E731 - the wake-up condition, shared by both timer styles
                self._version > self._projected
                or self._withdrawal is not None
                or (interrupt is not None and interrupt())
                or any(not t.is_open for t in tasks)
            )
            if workflow.patched(ONE_TIMER_PER_MOMENT):
                alarm = self._alarm_at(wake, now)
                # Awaited within this iteration: the closure never outlives the loop variables it reads.
                await workflow.wait_condition(lambda: woken() or (alarm is not None and alarm.done()))  # noqa: B023
                if alarm is not None and alarm.done():
                    self._alarm = None
                    self._fire_timers(tasks, workflow.now())
                continue
            try:
                await workflow.wait_condition(woken, timeout=(wake - now) if wake is not None else None)
            except TimeoutError:
                self._fire_timers(tasks, workflow.now())

    def _alarm_at(self, wake: datetime | None, now: datetime) -> asyncio.Task[None] | None:
        """The one timer for the next SLA moment: kept while that moment stays the next one.

        Re-arming a timer at every wake-up (every decision, every projection) cost a cancelled and
        a started timer each time; now a timer is only replaced when the next moment changes.
        """
        if self._alarm is not None and (self._alarm_moment != wake or self._alarm.done()):
            self._alarm.cancel()
            self._alarm = None
        if wake is not None and self._alarm is None:
            self._alarm = asyncio.ensure_future(workflow.sleep(wake - now))
            self._alarm_moment = wake
        return self._alarm

    def _fire_timers(self, tasks: list[HumanTask], now: datetime) -> None:
        for task in tasks:
            for code, data in fire_sla(task, now):
                self.record("timer", step=task.step, task_id=task.id, decision=code, data=data)
        self.touch()

    # ----------------------------------------------------------------- state and read model

    def finish(self, status: CaseStatus, step: str, comment: str | None = None, **data: Any) -> None:
        """Close the case with a final status; open tasks are cancelled."""
        for task in self._tasks.values():
            self.cancel_task(task, f"case {status.value}")
        self._closed_at = workflow.now()
        self.enter_step(step, status, comment, **data)

    async def sync(self) -> None:
        """Write the read model once if anything changed since the last write.

        Once, not until quiet: a change made by an update while this write was in flight must
        first reach the process (``wait_for`` re-checks), or its caller would get a state the
        process has not reacted to yet.
        """
        extras = self.projection_extras()
        if self._version > self._projected or self._events or extras:
            target, events = self._version, self._events
            self._events = []
            snap = self.snapshot()
            inbox_key = snap.inbox_key()
            # Where this projection stands, so a write left by a task that failed after it is
            # recognised and replaced (domain.projection); the activity's input, not a command.
            projection = Projection(
                snapshot=snap, events=events, inbox_changed=inbox_key != self._inbox_key, events_through=self._event_seq,
                previous_version=self._projected, history_length=workflow.info().get_current_history_length(), **extras,
            )
            await workflow.execute_local_activity_method(
                CaseActivities.project_case, projection, start_to_close_timeout=PROJECTION_TIMEOUT,
            )
            self.projection_written()
            self._events_projected = max(self._events_projected, projection.through())
            self._inbox_key = inbox_key
            self._upsert_search_attributes()
            self._projected = max(self._projected, target)

    async def run_process(self, body: Callable[[], Awaitable[None]]) -> CaseSnapshot:
        """Run the process body; a withdrawal ends it as withdrawn. Returns the final snapshot."""
        try:
            await body()
        except CaseWithdrawn:
            request = self._withdrawal
            assert request is not None
            self.record(
                "decision", step=self._step, actor=request.actor, decision="withdraw", comment=request.reason,
                update_id=self._withdrawal_update,
            )
            self.finish(CaseStatus.WITHDRAWN, self._step, request.reason)
        return await self.wind_down()

    async def wind_down(self) -> CaseSnapshot:
        """Write the final read model and let in-flight updates answer before the run ends."""
        if self._alarm is not None:
            self._alarm.cancel()
            self._alarm = None
        while self._version > self._projected or self._events:
            await self.sync()
        await workflow.wait_condition(workflow.all_handlers_finished)
        while self._version > self._projected or self._events:
            await self.sync()
        return self.snapshot()


def check_decision_data(models: DecisionModels, step: str, decision: DecisionInput) -> Any:
    """Parse a recorded decision's data with its model (it passed the validator already)."""
    model = models.get((step, decision.decision))
    return model.model_validate(decision.data) if model is not None else None
