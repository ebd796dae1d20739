"""矛盾纠纷工单: one dispute or complaint ticket, from intake to closure (销号).

Intake → routing by the duty list → accept or return within 2 working days (a re-assigned ticket
cannot be returned) → handling in 5 working days (extension approved by the dispatcher) → reply →
satisfaction call; unsatisfied → re-handling, unsatisfied again → supervision order. The community
may whistle a department meanwhile. Numbers come from ``domain.rules.TicketRules``; sources there.
The caller's contact never enters the workflow: it stays in the database under the external reference.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.ticket_models import TicketInput, WhistleInput
    from activities.ticket import CreditRequest, TicketActivities, TicketContext, TicketContextRequest
    from domain.access import Role, Scope, covers
    from domain.cases import CaseAck, FINAL_STATUSES, CaseSnapshot, CaseStatus
    from domain.routing import Assignment, Unit
    from domain.tasks import DecisionInput, DecisionRefused, HumanTask, RefusalKind
    from domain.ticket import (
        COMMENT_REQUIRED,
        PROCESS_KIND,
        PROCESS_LABEL,
        STEP_LABELS,
        AssignData,
        CallbackData,
        Closure,
        ExtensionData,
        Step,
        TicketLedgerRow,
        check_assignment,
        check_extension,
        check_return_window,
        credit_company,
    )
    from domain.ticket import TicketDecision as D
    from domain.ticket_state import TicketState
    from domain.ticket_whistle import blow, check_whistle, escalate, next_deadline, settle
    from workflows.human_tasks import PROJECTION_TIMEOUT, CaseWorkflow, refusal

ACTIVITY_TIMEOUT = timedelta(seconds=60)
ACTIVITY_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30))


@workflow.defn(name="ComplaintTicket")
class ComplaintTicketWorkflow(CaseWorkflow):
    """One dispute or complaint ticket, routed by the duty list and closed one by one (逐项销号)."""

    kind = PROCESS_KIND
    kind_label = PROCESS_LABEL
    step_labels = STEP_LABELS
    decision_data = {
        (Step.REASSIGNMENT, D.ASSIGN): AssignData,
        (Step.HANDLING, D.EXTEND): ExtensionData,
        (Step.CALLBACK, D.SATISFIED): CallbackData,
        (Step.CALLBACK, D.UNSATISFIED): CallbackData,
    }

    @workflow.init
    def __init__(self, inp: TicketInput) -> None:
        req = inp.request
        self.init_case(
            case_id=inp.case_id, title=f"{req.estate_id} · {req.category}", scope=Scope(estate_id=req.estate_id),
            initiator=inp.initiator, first_step=Step.INTAKE,
        )
        self._req = req
        self._rules = inp.rules
        self._ctx: TicketContext | None = None
        self._t = TicketState()
        self._credited: list[str] = []  # events already handled (overdue rounds, credit records)
        self._pending_whistles: list[WhistleInput] = []
        self._side: dict[str, int] = {}  # open side task → whistle index (-1: co-handling)
        self._ledger_written: dict[str, Any] | None = None

    @workflow.run
    async def run(self, inp: TicketInput) -> CaseSnapshot:
        return await self.run_process(self._process)

    # ----------------------------------------------------------------- the process

    async def _process(self) -> None:
        req = self._req
        ctx = await workflow.execute_activity_method(
            TicketActivities.load_context, TicketContextRequest(estate_id=req.estate_id, category=req.category),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        self._ctx = ctx
        p = ctx.place
        self.scope = Scope(street_id=p.street_id, community_id=p.community_id, estate_id=p.estate_id)
        self.title = f"{p.estate_name} · {ctx.route.label}"
        self.enter_step(Step.INTAKE, channel=req.channel.value, category=req.category)
        self._assign(ctx.assignment, "routed by the duty list (潍坊12345条例 Art. 24)")
        await self._acceptance()
        await self._open_co_handling()
        rounds = 0
        while True:
            rounds += 1
            await self._handling(rounds)
            if await self._callback():
                self._t.closure = Closure.SATISFIED
                self.finish(CaseStatus.COMPLETED, Step.CLOSED, "satisfied: closed (销号)")
                return
            self._t.unsatisfied += 1
            await self._credit("unsatisfied", self._rules.credit_points_unsatisfied, f"unsatisfied:{self._t.unsatisfied}")
            if self._t.unsatisfied == 1:
                continue  # 重办: the same unit handles it again
            if await self._supervision():
                return

    def _assign(self, assignment: Assignment, why: str) -> None:
        self._t.assign(assignment.lead, assignment.co_handlers)
        self.company_ids = self._t.organisation_ids()
        self.enter_step(Step.ACCEPTANCE, comment=why, lead=assignment.lead.name, co_handlers=[u.name for u in self._t.co])

    async def _acceptance(self) -> None:
        """签收 or 退回 within the return window; a re-assigned ticket can only be accepted (Art. 22)."""
        assert self._ctx is not None
        while True:
            lead = self._t.lead
            assert lead is not None
            decisions = [D.SIGN, D.RETURN] if self._t.returnable else [D.SIGN]
            task = await self.open_task(
                Step.ACCEPTANCE, [lead.role], decisions=decisions, company_id=lead.company_id,
                sla_working_days=self._rules.return_window_working_days, note=lead.name,
            )
            done = await self._wait([task], until=task.due_at)
            if done is None:
                self.cancel_task(task, "the return window passed: deemed accepted (视为签收)")
                break
            if done.outcome == D.SIGN:
                break
            self._t.returned = True
            self._t.returns.append({"unit": lead.name, "reason": self.decision_of(done).comment, "at": _iso(workflow.now())})
            await self._credit("returned", self._rules.credit_points_returned, f"returned:{done.id}", unit=lead)
            self.enter_step(Step.REASSIGNMENT)
            reassign = await self.open_task(
                Step.REASSIGNMENT, [Role.DISPATCHER], decisions=[D.ASSIGN], sla_working_days=self._rules.dispatch_working_days,
            )
            await self._wait([reassign])
            data = self.data_of(reassign, AssignData)
            units = {u.id: u for u in self._ctx.units}
            self._t.returnable = False
            self._assign(
                Assignment(lead=units[data.lead_unit_id], co_handlers=[units[u] for u in data.co_unit_ids]),
                "re-assigned by the hotline centre; it can no longer be returned (Art. 22 para. 2)",
            )
        self._t.accepted_at = workflow.now()

    async def _open_co_handling(self) -> None:
        for unit in self._t.co:
            task = await self.open_task(
                Step.CO_HANDLING, [unit.role], decisions=[D.SUBMIT], company_id=unit.company_id,
                sla_working_days=self._rules.handling_working_days, note=unit.name,
            )
            self._side[task.id] = -1

    async def _handling(self, round_no: int) -> None:
        """办理 in 5 working days with yellow and red cards; an approved extension moves the deadline."""
        lead = self._t.lead
        assert lead is not None
        self.enter_step(Step.HANDLING, round=round_no, rehandling=round_no > 1)
        task = await self._open_handling(lead, None)
        overdue = f"overdue:{round_no}"
        approval: HumanTask | None = None  # the dispatcher's pending decision on an extension request
        requested = 0
        while True:
            waited = [task] if approval is None else [approval, task]
            done = await self._wait(waited, interrupt=lambda t=task: t.overdue_at is not None and overdue not in self._credited)
            if done is None:
                # 红牌: the first overdue day of this round; once per round, whatever extensions follow.
                self._t.overdue = True
                self._credited.append(overdue)
                await self._credit("overdue", self._rules.credit_points_overdue, overdue)
                continue
            if done is approval:
                self.enter_step(Step.HANDLING, round=round_no, extension=done.outcome)
                approval = None
                task.decisions = [D.ANSWER, D.EXTEND]
                if done.outcome == D.APPROVE:
                    self._t.extension_days += requested
                    await self._extend(task, requested)
                continue
            if done.outcome == D.ANSWER:
                if approval is not None:
                    self.cancel_task(approval, "the unit has replied before the extension was decided")
                break
            request = self.data_of(done, ExtensionData)
            self.enter_step(Step.EXTENSION, working_days=request.working_days)
            if workflow.patched("ticket-extension-keeps-deadline"):
                # While the dispatcher decides, the original deadline still runs: yellow and red cards
                # keep firing on a handling task that stays open (潍坊12345条例 Art. 20 (1) and (3)).
                task = await self._open_handling(lead, (done, 0), decisions=[D.ANSWER])
                approval = await self.open_task(
                    Step.EXTENSION, [Role.DISPATCHER], decisions=[D.APPROVE, D.REJECT],
                    sla_working_days=self._rules.dispatch_working_days, note=request.reason,
                )
                requested = request.working_days
                continue
            # Histories started before the patch: the deadline was not watched while the dispatcher decided.
            legacy = await self.open_task(
                Step.EXTENSION, [Role.DISPATCHER], decisions=[D.APPROVE, D.REJECT],
                sla_working_days=self._rules.dispatch_working_days, note=request.reason,
            )
            await self._wait([legacy])
            self.enter_step(Step.HANDLING, round=round_no, extension=legacy.outcome)
            if legacy.outcome == D.APPROVE:
                self._t.extension_days += request.working_days
                task = await self._open_handling(lead, (done, request.working_days))
            else:
                task = await self._open_handling(lead, (done, 0))
        self._t.replied_at = workflow.now()
        answer = self.decision_of(task)
        self._t.replies.append({"round": round_no, "unit": lead.name, "by": answer.actor.name, "result": answer.comment, "at": _iso(self._t.replied_at)})
        for tid, index in list(self._side.items()):
            if index == -1:
                self.cancel_task(self.task(tid), "the lead unit has replied")
                del self._side[tid]

    async def _open_handling(
        self, lead: Unit, previous: tuple[HumanTask, int] | None, decisions: list[str] | None = None,
    ) -> HumanTask:
        """A handling task: 5 working days from now, or the previous deadline moved by an extension."""
        rules = self._rules
        decisions = decisions or [D.ANSWER, D.EXTEND]
        if previous is None:
            return await self.open_task(
                Step.HANDLING, [lead.role], decisions=decisions, company_id=lead.company_id,
                sla_working_days=rules.handling_working_days, remind_before=rules.yellow_card_before_working_days,
            )
        old, extra = previous
        task = await self.open_task(Step.HANDLING, [lead.role], decisions=decisions, company_id=lead.company_id)
        assert old.due_at is not None
        if extra == 0:
            task.remind_at, task.due_at, task.escalate_at = old.remind_at, old.due_at, old.escalate_at
            task.reminded_at, task.overdue_at = old.reminded_at, old.overdue_at
            task.sla = old.sla
            return task
        # The extension counts from the old deadline's last day (the instant before its 24:00).
        await self.extend_deadline(task, old, extra, remind_before=rules.yellow_card_before_working_days)
        self.record("step", step=Step.HANDLING, task_id=task.id,
                    data={"extended_by": extra, "due_at": _iso(task.due_at), **self.calendar_flag(task)})
        return task

    async def _extend(self, task: HumanTask, extra: int) -> None:
        """Move an open handling task's deadline by an approved extension; its cards start afresh."""
        assert task.due_at is not None
        # The extension counts from the old deadline's last day (the instant before its 24:00).
        await self.extend_deadline(task, task, extra, remind_before=self._rules.yellow_card_before_working_days)
        task.reminded_at = task.overdue_at = None
        self.record("step", step=Step.HANDLING, task_id=task.id,
                    data={"extended_by": extra, "due_at": _iso(task.due_at), **self.calendar_flag(task)})
        self.touch()

    async def _callback(self) -> bool:
        """回访 (mandatory, 潍坊12345条例 Art. 25): True when the caller is satisfied."""
        self.enter_step(Step.CALLBACK)
        task = await self.open_task(
            Step.CALLBACK, [Role.DISPATCHER], decisions=[D.SATISFIED, D.UNSATISFIED],
            sla_working_days=self._rules.callback_working_days,
        )
        await self._wait([task])
        decision = self.decision_of(task)
        self._t.callbacks.append({"outcome": task.outcome, "by": decision.actor.name, "remark": decision.comment, "at": _iso(workflow.now())})
        return task.outcome == D.SATISFIED

    async def _supervision(self) -> bool:
        """督办 to the unit's supervisor: close with a recorded reason (True) or order re-handling."""
        lead = self._t.lead
        assert lead is not None
        self._t.supervised = True
        await self._credit("supervised", self._rules.credit_points_supervised, f"supervised:{self._t.unsatisfied}")
        self.enter_step(Step.SUPERVISION, supervisor=lead.supervisor_role.value)
        task = await self.open_task(
            Step.SUPERVISION, [lead.supervisor_role], decisions=[D.CLOSE, D.REHANDLE],
            sla_working_days=self._rules.supervision_working_days, note=lead.name,
        )
        await self._wait([task])
        if task.outcome == D.CLOSE:
            self._t.closure = Closure.SUPERVISOR
            self.finish(CaseStatus.COMPLETED, Step.CLOSED, self.decision_of(task).comment)
            return True
        return False

    async def _credit(self, source: str, points: int, event: str, unit: Unit | None = None) -> None:
        """A bad credit record when the unit is a property company (DOMAIN.md: credit sources)."""
        target = unit or self._t.lead
        company = credit_company(target) if target is not None else None
        if company is None or f"credit:{event}" in self._credited:
            return
        self._credited.append(f"credit:{event}")
        await workflow.execute_activity_method(
            TicketActivities.write_credit,
            CreditRequest(case_id=self.case_id, event=event, company_id=company, source=f"ticket_{source}", points=points,
                          reason=f"{self.title}: {source}"),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )

    # ----------------------------------------------------------------- waiting, with whistles alongside

    async def _wait(self, tasks: list[HumanTask], until: datetime | None = None, interrupt: Any = None) -> HumanTask | None:
        """Wait for one of ``tasks`` like ``wait_for``, while co-handling and whistle tasks run alongside."""
        while True:
            await self._open_whistles()
            wake = min([d for d in (until, next_deadline(self._t.whistles)) if d is not None], default=None)
            done = await self.wait_for(
                tasks + [self.task(t) for t in self._side], until=wake,
                interrupt=lambda: bool(self._pending_whistles) or (interrupt is not None and interrupt()),
            )
            if done is not None and done in tasks:
                return done
            if done is not None:
                self._side_task_done(done)
                continue
            await self._escalate_whistles()
            if (until is not None and workflow.now() >= until) or (interrupt is not None and interrupt()):
                return None

    def _side_task_done(self, task: HumanTask) -> None:
        index = self._side.pop(task.id)
        decision = self.decision_of(task)
        if index == -1:
            self._t.co_handling.append({"unit": task.note, "by": decision.actor.name, "opinion": decision.comment, "at": _iso(task.closed_at)})
            return
        whistle = self._t.whistles[index]
        assert task.outcome is not None and task.closed_at is not None
        settle(whistle, task.outcome, decision.comment, decision.actor.name, task.closed_at)
        for tid in whistle.task_ids:
            if tid in self._side:
                self.cancel_task(self.task(tid), "the whistle was answered")
                del self._side[tid]

    async def _open_whistles(self) -> None:
        while self._pending_whistles:
            request = self._pending_whistles.pop(0)
            assert self._ctx is not None
            dept = next(u for u in self._ctx.units if u.id == request.department_id)
            task = await self.open_task(Step.WHISTLE, [Role.DEPARTMENT], decisions=[D.REPORT], company_id=dept.id, note=request.reason)
            whistle = blow(dept, request.reason, request.actor.name, workflow.now(), self._rules)
            whistle.task_ids.append(task.id)
            self._side[task.id] = len(self._t.whistles)
            self._t.whistles.append(whistle)
            self.company_ids = self._t.organisation_ids()

    async def _escalate_whistles(self) -> None:
        """An unanswered whistle goes to the street office, then to the city's joint meeting."""
        now = workflow.now()
        for index, whistle in enumerate(self._t.whistles):
            if not whistle.is_due(now):
                continue
            step, role = escalate(whistle, now, self._rules)
            task = await self.open_task(step, [role], decisions=[D.COORDINATE], note=f"{whistle.department}: {whistle.reason}")
            self._side[task.id] = index
            whistle.task_ids.append(task.id)
            self.record("timer", step=step, task_id=task.id, decision="escalation", data={"escalated_to": [role.value], "whistle": index + 1})

    @workflow.update
    async def whistle(self, request: WhistleInput) -> CaseAck:
        """社区吹哨、部门报到: the community summons a department, which must report in time."""
        self._validate_whistle(request)  # again, atomically: whistles sent together all pass validation first
        self._pending_whistles.append(request)
        self.record("decision", step=Step.WHISTLE, actor=request.actor, role=Role.COMMUNITY, decision=D.WHISTLE,
                     comment=request.reason, data={"department_id": request.department_id})
        return await self.answer(also=lambda: not self._pending_whistles)

    @whistle.validator
    def _validate_whistle(self, request: WhistleInput) -> None:
        try:
            if self.status in FINAL_STATUSES or self.step not in (Step.HANDLING, Step.EXTENSION) or self._ctx is None:
                raise DecisionRefused(RefusalKind.CONFLICT, "a whistle is blown while the ticket is being handled")
            if not request.actor.has_any([Role.COMMUNITY]) or not covers(request.actor.jurisdiction, self.scope):
                raise DecisionRefused(RefusalKind.FORBIDDEN, "only the ticket's community can blow the whistle")
            summoned = [w.department_id for w in self._t.whistles if w.is_open] + [p.department_id for p in self._pending_whistles]
            check_whistle(request.department_id, self._ctx.units, summoned)
        except DecisionRefused as exc:
            raise refusal(exc) from None

    # ----------------------------------------------------------------- hooks and read models

    def check_in_context(self, task: HumanTask, decision: DecisionInput, data: BaseModel | None) -> None:
        if decision.decision in COMMENT_REQUIRED and not (decision.comment or "").strip():
            raise DecisionRefused(RefusalKind.INVALID, f"decision '{decision.decision}' needs a reason in 'comment'")
        if task.step == Step.ACCEPTANCE and decision.decision == D.RETURN:
            check_return_window(workflow.now(), task.due_at, self._t.returnable)
        if task.step == Step.HANDLING and isinstance(data, ExtensionData):
            check_extension(data.working_days, self._t.extension_days, self._rules)
        if task.step == Step.REASSIGNMENT and isinstance(data, AssignData):
            assert self._ctx is not None
            check_assignment(data, {u.id: u for u in self._ctx.units}, self._t.lead)

    async def sync(self) -> None:
        """Write the ledger line when it changed, then the case's read model (so an update's answer sees both)."""
        row = self._ledger_row()
        if row is not None:
            compared = row.model_dump(exclude={"version"})
            if compared != self._ledger_written:
                await workflow.execute_local_activity_method(TicketActivities.save_ledger, row, start_to_close_timeout=PROJECTION_TIMEOUT)
                self._ledger_written = compared
        await super().sync()

    def _card(self) -> str:
        cards = {t.card.value for t in self.all_tasks() if t.is_open}
        return "red" if "red" in cards else "yellow" if "yellow" in cards else "none"

    def _ledger_row(self) -> TicketLedgerRow | None:
        if self._ctx is None:
            return None
        handling = [t for t in self.all_tasks() if t.step == Step.HANDLING]
        return self._t.ledger_row(
            case_id=self.case_id, req=self._req, place=self._ctx.place, route=self._ctx.route, title=self.title,
            status=self.status.value, step=self.step, card=self._card(), created_at=self.created_at,
            due_at=handling[-1].due_at if handling else None, closed_at=self.closed_at, version=self.version,
        )

    def facts(self) -> dict[str, Any]:
        ctx = self._ctx
        facts = self._t.facts(self._req, ctx.place if ctx else None, ctx.route if ctx else None)
        return {**facts, "rules": self._rules.model_dump(mode="json")}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
