"""矛盾纠纷工单: one dispute or complaint ticket, from intake to closure (销号).

Intake → routing by the duty list → accept or return within 2 working days (a re-assigned ticket
cannot be returned) → handling in 5 working days (extension approved by the dispatcher) → reply →
satisfaction call; unsatisfied → re-handling, unsatisfied again → supervision order. The community
may whistle a department meanwhile. Numbers come from ``domain.rules.TicketRules``; sources there.
The caller's contact never enters the workflow: it stays in the database under the external reference.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any, ClassVar

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.ticket import (
        CreditRequest,
        TicketActivities,
        TicketContext,
        TicketContextRequest,
    )
    from domain.access import Role, Scope, covers
    from domain.cases import FINAL_STATUSES, CaseAck, CaseSnapshot, CaseStatus
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
        check_callback,
        check_extension,
        check_return_window,
        credit_company,
    )
    from domain.ticket import TicketDecision as D
    from domain.ticket_facts import (
        HandlingReply,
        SatisfactionCall,
        TicketFacts,
        TicketReturn,
    )
    from domain.ticket_state import TicketState
    from workflows.human_tasks import PROJECTION_TIMEOUT, CaseWorkflow, DecisionModels, refusal
    from workflows.ticket_deadlines import deemed_acceptance_start, extend_handling, open_handling, wait_until_due
    from workflows.ticket_models import TicketInput, WhistleInput
    from workflows.ticket_side_tasks import SideTasks
    from workflows.ticket_supervision import OVERDUE_SUPERVISION, TicketSupervision

ACTIVITY_TIMEOUT = timedelta(seconds=60)
ACTIVITY_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30))
# Patch id: the deemed acceptance (视为签收) follows the return window's end when a published holiday
# calendar recounts it; before, the case waited for the end counted when the window opened.
ACCEPTANCE_FOLLOWS_RECOUNT = "ticket-acceptance-follows-recount"
# Patch id: the ledger line goes with the case's projection, in its transaction (one local activity per
# waiting point, not two); histories before it have a ``ticket_save_ledger`` marker of their own.
LEDGER_IN_PROJECTION = "ticket-ledger-in-projection"


@workflow.defn(name="ComplaintTicket")
class ComplaintTicketWorkflow(CaseWorkflow):
    """One dispute or complaint ticket, routed by the duty list and closed one by one (逐项销号)."""

    kind = PROCESS_KIND
    kind_label = PROCESS_LABEL
    step_labels = STEP_LABELS
    decision_data: ClassVar[DecisionModels] = {
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
        self._side = SideTasks(self, self._t, inp.rules)
        self._supervisor = TicketSupervision(self, self._t, inp.rules)
        self._ledger_written: TicketLedgerRow | None = None  # the last line written, its version zeroed
        self._ledger_due: TicketLedgerRow | None = None  # the line the next projection writes
        self._handling_from: datetime | None = None  # a deemed acceptance's day, the first handling round counts from

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
        await self._side.open_co_handling(self._handling_from)
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
            decisions: list[str] = [D.SIGN, D.RETURN] if self._t.returnable else [D.SIGN]
            task = await self.open_task(
                Step.ACCEPTANCE, [lead.role], decisions=decisions, company_id=lead.company_id,
                sla_working_days=self._rules.return_window_working_days, note=lead.name,
            )
            if workflow.patched(ACCEPTANCE_FOLLOWS_RECOUNT):
                done = await wait_until_due(self._wait, task)
            else:
                done = await self._wait([task], until=task.due_at)
            if done is None:
                self.cancel_task(task, "the return window passed: deemed accepted (视为签收)")
                assert task.due_at is not None
                self._handling_from = deemed_acceptance_start(task.due_at)
                break
            if done.outcome == D.SIGN:
                break
            self._t.returned = True
            self._t.returns.append(TicketReturn(unit=lead.name, reason=self.decision_of(done).comment, at=workflow.now()))
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

    async def _handling(self, round_no: int) -> None:
        """办理 in 5 working days with yellow and red cards; an approved extension moves the deadline."""
        lead = self._t.lead
        assert lead is not None
        self.enter_step(Step.HANDLING, round=round_no, rehandling=round_no > 1)
        task = await open_handling(self, self._rules, lead, None, start=self._handling_from if round_no == 1 else None)
        overdue = f"overdue:{round_no}"
        approval: HumanTask | None = None  # the dispatcher's pending decision on an extension request
        requested = 0
        while True:
            waited = ([task] if approval is None else [approval, task]) + self._supervisor.tasks()
            done = await self._wait(waited, interrupt=partial(self._newly_overdue, task, overdue))
            if done is None:
                # 红牌: the first overdue day of this round; once per round, whatever extensions follow.
                self._t.overdue = True
                self._credited.append(overdue)
                await self._credit("overdue", self._rules.credit_points_overdue, overdue)
                if workflow.patched(OVERDUE_SUPERVISION):
                    # 督办 (潍坊12345条例 Art. 26 (2)): the unit's supervisor takes the overdue ticket in hand.
                    await self._supervisor.overdue(lead, round_no)
                continue
            if done.step == Step.OVERDUE_SUPERVISION:
                self._supervisor.decided(done)
                continue
            if done is approval:
                self.enter_step(Step.HANDLING, round=round_no, extension=done.outcome)
                approval = None
                task.decisions = [D.ANSWER, D.EXTEND]
                if done.outcome == D.APPROVE:
                    self._t.extension_days += requested
                    await extend_handling(self, self._rules, task, requested)
                continue
            if done.outcome == D.ANSWER:
                if approval is not None:
                    self.cancel_task(approval, "the unit has replied before the extension was decided")
                self._supervisor.replied()
                break
            task, approval, requested = await self._request_extension(lead, round_no, done)
        self._t.replied_at = workflow.now()
        answer = self.decision_of(task)
        self._t.replies.append(
            HandlingReply(round=round_no, unit=lead.name, by=answer.actor.name, result=answer.comment, at=self._t.replied_at)
        )
        self._side.cancel_co_handling()

    def _newly_overdue(self, task: HumanTask, event: str) -> bool:
        """The handling task's red card has come and this round's overdue has not been handled yet."""
        return task.overdue_at is not None and event not in self._credited

    async def _request_extension(
        self, lead: Unit, round_no: int, done: HumanTask,
    ) -> tuple[HumanTask, HumanTask | None, int]:
        """申请延期: the dispatcher decides; returns the handling task, the pending approval and the days asked."""
        request = self.data_of(done, ExtensionData)
        self.enter_step(Step.EXTENSION, working_days=request.working_days)
        if workflow.patched("ticket-extension-keeps-deadline"):
            # While the dispatcher decides, the original deadline still runs: yellow and red cards
            # keep firing on a handling task that stays open (潍坊12345条例 Art. 20 (1) and (3)).
            task = await open_handling(self, self._rules, lead, (done, 0), decisions=[D.ANSWER])
            approval = await self.open_task(
                Step.EXTENSION, [Role.DISPATCHER], decisions=[D.APPROVE, D.REJECT],
                sla_working_days=self._rules.dispatch_working_days, note=request.reason,
            )
            return task, approval, request.working_days
        # Histories started before the patch: the deadline was not watched while the dispatcher decided.
        legacy = await self.open_task(
            Step.EXTENSION, [Role.DISPATCHER], decisions=[D.APPROVE, D.REJECT],
            sla_working_days=self._rules.dispatch_working_days, note=request.reason,
        )
        await self._wait([legacy])
        self.enter_step(Step.HANDLING, round=round_no, extension=legacy.outcome)
        if legacy.outcome == D.APPROVE:
            self._t.extension_days += request.working_days
            return await open_handling(self, self._rules, lead, (done, request.working_days)), None, 0
        return await open_handling(self, self._rules, lead, (done, 0)), None, 0

    async def _callback(self) -> bool:
        """回访 (mandatory, 潍坊12345条例 Art. 25): True when the caller is satisfied."""
        self.enter_step(Step.CALLBACK)
        task = await self.open_task(
            Step.CALLBACK, [Role.DISPATCHER], decisions=[D.SATISFIED, D.UNSATISFIED],
            sla_working_days=self._rules.callback_working_days,
        )
        await self._wait([task])
        decision = self.decision_of(task)
        assert task.outcome is not None
        # 回访记录: what the caller said, as the dispatcher entered it; the decision's comment when there is none.
        remark = self.data_of(task, CallbackData).remark or decision.comment
        self._t.callbacks.append(SatisfactionCall(outcome=task.outcome, by=decision.actor.name, remark=remark, at=workflow.now()))
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
        self._supervisor.unsatisfied(lead, self._t.unsatisfied, task)
        await self._wait([task])
        self._supervisor.decided(task)
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

    async def _wait(
        self, tasks: list[HumanTask], until: datetime | None = None, interrupt: Callable[[], bool] | None = None,
    ) -> HumanTask | None:
        """Wait for one of ``tasks`` like ``wait_for``, while co-handling and whistle tasks run alongside."""
        assert self._ctx is not None
        while True:
            await self._side.open_whistles(self._ctx.units)
            wake = min([d for d in (until, self._side.next_deadline()) if d is not None], default=None)
            done = await self.wait_for(
                tasks + self._side.tasks(), until=wake,
                interrupt=lambda: bool(self._side.pending) or (interrupt is not None and interrupt()),
            )
            if done is not None and done in tasks:
                return done
            if done is not None:
                self._side.done(done)
                continue
            await self._side.escalate_whistles()
            if (until is not None and workflow.now() >= until) or (interrupt is not None and interrupt()):
                return None

    @workflow.update
    async def whistle(self, request: WhistleInput) -> CaseAck:
        """社区吹哨、部门报到: the community summons a department, which must report in time."""
        self._validate_whistle(request)  # again, atomically: whistles sent together all pass validation first
        self._side.pending.append(request)
        self.record("decision", step=Step.WHISTLE, actor=request.actor, role=Role.COMMUNITY, decision=D.WHISTLE,
                     comment=request.reason, data={"department_id": request.department_id})
        return await self.answer(also=lambda: not self._side.pending)

    @whistle.validator
    def _validate_whistle(self, request: WhistleInput) -> None:
        try:
            if self.status in FINAL_STATUSES or self.step not in (Step.HANDLING, Step.EXTENSION) or self._ctx is None:
                raise DecisionRefused(RefusalKind.CONFLICT, "a whistle is blown while the ticket is being handled")
            if not request.actor.has_any([Role.COMMUNITY]) or not covers(request.actor.jurisdiction, self.scope):
                raise DecisionRefused(RefusalKind.FORBIDDEN, "only the ticket's community can blow the whistle")
            self._side.check_whistle(request, self._ctx.units)
        except DecisionRefused as exc:
            raise refusal(exc) from None

    # ----------------------------------------------------------------- hooks and read models

    def check_in_context(self, task: HumanTask, decision: DecisionInput, data: BaseModel | None) -> None:
        if decision.decision in COMMENT_REQUIRED and not (decision.comment or "").strip():
            raise DecisionRefused(RefusalKind.INVALID, f"decision '{decision.decision}' needs a reason in 'comment'")
        if task.step == Step.ACCEPTANCE and decision.decision == D.RETURN:
            check_return_window(workflow.now(), task.due_at, self._t.returnable)
        if task.step == Step.CALLBACK and isinstance(data, CallbackData):
            check_callback(decision.decision, data)
        if task.step == Step.HANDLING and isinstance(data, ExtensionData):
            check_extension(data.working_days, self._t.extension_days, self._rules)
        if task.step == Step.REASSIGNMENT and isinstance(data, AssignData):
            assert self._ctx is not None
            check_assignment(data, {u.id: u for u in self._ctx.units})

    async def sync(self) -> None:
        """Write the ledger line when it changed, then the case's read model (so an update's answer sees both)."""
        row = self._ledger_row()
        # A new version alone is no change of the line: the ledger is written when its content changes.
        if row is not None and (unversioned := row.model_copy(update={"version": 0})) != self._ledger_written:
            if workflow.patched(LEDGER_IN_PROJECTION):
                self._ledger_due = row
            else:
                await workflow.execute_local_activity_method(TicketActivities.save_ledger, row, start_to_close_timeout=PROJECTION_TIMEOUT)
            self._ledger_written = unversioned
        await super().sync()

    def projection_extras(self) -> dict[str, Any]:
        return {"ticket_ledger": self._ledger_due} if self._ledger_due is not None else {}

    def projection_written(self) -> None:
        self._ledger_due = None

    def _ledger_row(self) -> TicketLedgerRow | None:
        if self._ctx is None:
            return None
        handling = [t for t in self.all_tasks() if t.step == Step.HANDLING]
        cards = {t.card.value for t in self.all_tasks() if t.is_open}
        return self._t.ledger_row(
            case_id=self.case_id, req=self._req, place=self._ctx.place, route=self._ctx.route, title=self.title,
            status=self.status.value, step=self.step, card="red" if "red" in cards else "yellow" if "yellow" in cards else "none", created_at=self.created_at,
            due_at=handling[-1].due_at if handling else None, closed_at=self.closed_at, version=self.version,
        )

    def facts(self) -> TicketFacts:
        ctx = self._ctx
        return self._t.facts(self._req, ctx.place if ctx else None, ctx.route if ctx else None, self._rules)

