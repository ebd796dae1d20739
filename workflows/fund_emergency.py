"""维修资金应急使用 + 预算核价: emergency use of the maintenance fund, one workflow per case.

Report → joint on-site verification (countersign) → budget → price review by the pricing agency →
housing-bureau review (2 working days) → first payment (≤ 50%) → completion acceptance →
settlement and its price review → public notice (≥ 5 days, objections answered) → final payment.
The numbers come from ``domain.rules``; the legal sources are cited there.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.fund_emergency_models import FundEmergencyInput, ObjectionInput
    from activities.fund_emergency import FundCaseContext, FundContextRequest, FundEmergencyActivities, PaymentRequest
    from domain.access import Role, Scope, covers
    from domain.cases import CaseAck, CaseSnapshot, CaseStatus
    from domain.fund_emergency import (
        CATEGORY_LABELS,
        PROCESS_KIND,
        PROCESS_LABEL,
        SCOPE_LABELS,
        STEP_LABELS,
        AcceptanceData,
        BudgetData,
        PriceReviewData,
        SettlementData,
        Step,
        check_price_review,
        first_payment_fen,
    )
    from domain.fund_ledger import PaymentOutcome
    from domain.tasks import Decision, DecisionInput, DecisionRefused, HumanTask, RefusalKind
    from workflows.human_tasks import CaseWorkflow, refusal

D = Decision
ACTIVITY_TIMEOUT = timedelta(seconds=60)
ACTIVITY_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30))


@workflow.defn(name="MaintenanceFundEmergency")
class MaintenanceFundEmergencyWorkflow(CaseWorkflow):
    """One emergency repair paid from the maintenance fund, from report to final payment."""

    kind = PROCESS_KIND
    kind_label = PROCESS_LABEL
    step_labels = STEP_LABELS
    decision_data = {
        (Step.BUDGET_SUBMISSION, D.SUBMIT): BudgetData,
        (Step.PRICE_REVIEW, D.APPROVE): PriceReviewData,
        (Step.SETTLEMENT_SUBMISSION, D.SUBMIT): SettlementData,
        (Step.SETTLEMENT_REVIEW, D.APPROVE): PriceReviewData,
        (Step.COMPLETION_ACCEPTANCE, D.CONFIRM): AcceptanceData,
    }

    @workflow.init
    def __init__(self, inp: FundEmergencyInput) -> None:
        req = inp.request
        self.init_case(
            case_id=inp.case_id, title=f"{CATEGORY_LABELS[req.category]}（{req.estate_id}）",
            scope=Scope(estate_id=req.estate_id), initiator=inp.initiator, first_step=Step.REPORTED,
        )
        self._req = req
        self._rules = inp.rules
        self._ctx: FundCaseContext | None = None
        self._takeover = False
        self._money: dict[str, Any] = {}
        self._objections: list[dict[str, Any]] = []
        self._unhandled_objections: list[ObjectionInput] = []
        self._notice: dict[str, Any] = {}
        self._shortfalls: list[dict[str, Any]] = []

    @workflow.run
    async def run(self, inp: FundEmergencyInput) -> CaseSnapshot:
        return await self.run_process(self._process)

    # ----------------------------------------------------------------- the process

    async def _process(self) -> None:
        req = self._req
        ctx = await workflow.execute_activity_method(
            FundEmergencyActivities.load_context,
            FundContextRequest(estate_id=req.estate_id, scope=req.scope.value, scope_id=req.scope_id),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        self._ctx = ctx
        self.scope = Scope(street_id=ctx.street_id, community_id=ctx.community_id, estate_id=req.estate_id)
        self.company_ids = [c for c in (ctx.property_company_id, ctx.pricing_agency_id) if c]
        self.title = f"{ctx.estate_name} · {CATEGORY_LABELS[req.category]}"
        self.enter_step(Step.REPORTED, category=req.category.value, affected_scope=req.scope.value, scope_id=req.scope_id)

        if not await self._verify_on_site():
            return
        if not await self._budget_and_reviews():
            return
        await self._pay("first", first_payment_fen(self._money["approved_fen"], self._rules), Step.FIRST_PAYMENT)
        await self._completion_acceptance()
        while True:
            await self._settlement()
            if not await self._public_notice():
                break
        await self._pay("final", self._money["settlement_approved_fen"], Step.FINAL_PAYMENT, settles=f"{self.case_id}:first")
        self.finish(CaseStatus.COMPLETED, Step.CLOSED)

    @property
    def _committee_role(self) -> Role:
        # Without an owners' committee the residents' committee acts in its place (潍坊 Arts. 41–44).
        assert self._ctx is not None
        return Role.OWNERS_COMMITTEE if self._ctx.has_owners_committee else Role.COMMUNITY

    @property
    def _submitter(self) -> Role:
        return Role.STREET_OFFICE if self._takeover else Role.PROPERTY_COMPANY

    def _submitter_company(self) -> str | None:
        assert self._ctx is not None
        return None if self._takeover else self._ctx.property_company_id

    async def _verify_on_site(self) -> bool:
        """现场联合核实: owners' representative, committee and company all confirm, or the street takes over."""
        assert self._ctx is not None
        self.enter_step(Step.ONSITE_VERIFICATION)
        task = await self.open_task(
            Step.ONSITE_VERIFICATION, [Role.OWNER_REP, self._committee_role, Role.PROPERTY_COMPANY],
            decisions=[D.CONFIRM, D.REJECT], countersign=True, company_id=self._ctx.property_company_id,
        )
        deadline = workflow.now() + self._rules.verification_deadline
        done = await self.wait_for([task], until=deadline)
        if done is None:
            # 聊城 Art. 51: when those responsible do not act, the street organises the repair.
            self.cancel_task(task, "verification deadline passed; the street office takes over")
            self.enter_step(Step.STREET_TAKEOVER)
            takeover = await self.open_task(
                Step.STREET_TAKEOVER, [Role.STREET_OFFICE], decisions=[D.ORGANISE],
                sla_working_days=self._rules.street_takeover_working_days, escalate_to=[Role.HOUSING_BUREAU],
            )
            await self.wait_for([takeover])
            self._takeover = True
            return True
        if done.outcome == D.REJECT:
            self.finish(CaseStatus.REJECTED, Step.CLOSED, self.decision_of(done).comment)
            return False
        return True

    async def _budget_and_reviews(self) -> bool:
        """Budget → price review → bureau review; a review may return to the step before or reject."""
        assert self._ctx is not None
        step = Step.BUDGET_SUBMISSION
        while True:
            self.enter_step(step)
            if step == Step.BUDGET_SUBMISSION:
                task = await self.open_task(step, [self._submitter], decisions=[D.SUBMIT], company_id=self._submitter_company())
                await self.wait_for([task])
                budget = self.data_of(task, BudgetData)
                self._money.update(requested_fen=budget.amount_fen, contractor=budget.contractor, budget_items=budget.items)
                step = Step.PRICE_REVIEW
                continue
            if step == Step.PRICE_REVIEW:
                task = await self.open_task(
                    step, [Role.PRICING_AGENCY], decisions=[D.APPROVE, D.RETURN, D.REJECT],
                    company_id=self._ctx.pricing_agency_id, sla_working_days=self._rules.price_review_working_days,
                    escalate_to=[Role.HOUSING_BUREAU],
                )
            else:
                task = await self.open_task(
                    step, [Role.HOUSING_BUREAU], decisions=[D.APPROVE, D.RETURN, D.REJECT],
                    sla_working_days=self._rules.bureau_review_working_days,
                    remind_before=self._rules.remind_before_working_days,
                    escalate_after=self._rules.escalate_after_working_days,
                    escalate_to=[Role.BUREAU_SUPERVISOR],
                )
            await self.wait_for([task])
            if task.outcome == D.REJECT:
                self.finish(CaseStatus.REJECTED, Step.CLOSED, self.decision_of(task).comment)
                return False
            if task.outcome == D.RETURN:
                step = Step.BUDGET_SUBMISSION if step == Step.PRICE_REVIEW else Step.PRICE_REVIEW
                continue
            if step == Step.PRICE_REVIEW:
                review = self.data_of(task, PriceReviewData)
                self._money.update(
                    approved_fen=review.approved_amount_fen,
                    reduction_fen=self._money["requested_fen"] - review.approved_amount_fen,
                    price_review_reasons=review.reasons,
                )
                step = Step.BUREAU_REVIEW
                continue
            self.mark_approved()
            return True

    async def _pay(self, kind: str, amount_fen: int, step: Step, settles: str | None = None) -> None:
        """Pay out of the fund; a shortfall blocks with a top-up task until the accounts are topped up."""
        assert self._ctx is not None
        self.enter_step(step)
        while True:
            outcome: PaymentOutcome = await workflow.execute_activity_method(
                FundEmergencyActivities.pay,
                PaymentRequest(
                    case_id=self.case_id, kind=kind, amount_fen=amount_fen, estate_id=self._req.estate_id,
                    scope=self._req.scope.value, scope_id=self._req.scope_id, payee=self._money.get("contractor"),
                    settles=settles,
                ),
                start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
            )
            if outcome.paid:
                self._shortfalls = []
                self._money[f"{kind}_payment_fen"] = outcome.amount_fen
                self._money[f"{kind}_paid_at"] = workflow.now().isoformat()
                if outcome.top_ups_due:
                    self._money.setdefault("top_ups_due", []).extend(outcome.top_ups_due)
                self.enter_step(step, CaseStatus.ACTIVE, paid_fen=outcome.amount_fen, households=outcome.households)
                return
            self._shortfalls = [
                {"household_id": s.household_id, "share_fen": s.share_fen, "balance_fen": s.balance_fen, "missing_fen": s.missing_fen}
                for s in outcome.shortfalls
            ]
            self.enter_step(Step.TOP_UP, CaseStatus.BLOCKED, payment=kind, shortfalls=len(outcome.shortfalls))
            task = await self.open_task(
                Step.TOP_UP, [self._committee_role], decisions=[D.RETRY],
                note=f"{len(outcome.shortfalls)} household(s) short for the {kind} payment",
            )
            await self.wait_for([task])
            self.enter_step(step, CaseStatus.ACTIVE)

    async def _completion_acceptance(self) -> None:
        """竣工验收: the committee and the company confirm; either may send it back for rework."""
        assert self._ctx is not None
        while True:
            self.enter_step(Step.COMPLETION_ACCEPTANCE)
            task = await self.open_task(
                Step.COMPLETION_ACCEPTANCE, [self._committee_role, Role.PROPERTY_COMPANY],
                decisions=[D.CONFIRM, D.RETURN], countersign=True, company_id=self._ctx.property_company_id,
            )
            await self.wait_for([task])
            if task.outcome == D.CONFIRM:
                return

    async def _settlement(self) -> None:
        """提交结算 → 结算审价: the agency approves the settled cost or returns it."""
        assert self._ctx is not None
        step = Step.SETTLEMENT_SUBMISSION if "settlement_fen" not in self._money else Step.SETTLEMENT_REVIEW
        while True:
            self.enter_step(step)
            if step == Step.SETTLEMENT_SUBMISSION:
                task = await self.open_task(step, [self._submitter], decisions=[D.SUBMIT], company_id=self._submitter_company())
                await self.wait_for([task])
                settlement = self.data_of(task, SettlementData)
                self._money.update(settlement_fen=settlement.amount_fen, acceptance_certificate=settlement.acceptance_certificate)
                step = Step.SETTLEMENT_REVIEW
                continue
            task = await self.open_task(
                step, [Role.PRICING_AGENCY], decisions=[D.APPROVE, D.RETURN], company_id=self._ctx.pricing_agency_id,
                sla_working_days=self._rules.price_review_working_days, escalate_to=[Role.HOUSING_BUREAU],
            )
            await self.wait_for([task])
            if task.outcome == D.RETURN:
                step = Step.SETTLEMENT_SUBMISSION
                continue
            review = self.data_of(task, PriceReviewData)
            self._money.update(settlement_approved_fen=review.approved_amount_fen, settlement_review_reasons=review.reasons)
            return

    async def _public_notice(self) -> bool:
        """公示 for at least 5 days; every objection is answered before payment. True if one was upheld."""
        assert self._ctx is not None
        start = workflow.now()
        end = start + self._rules.public_notice
        self._notice = {"start": start.isoformat(), "end": end.isoformat(), "settlement_fen": self._money["settlement_approved_fen"]}
        self.enter_step(Step.PUBLIC_NOTICE, notice_end=end.isoformat())
        pending: list[HumanTask] = []
        while True:
            while self._unhandled_objections:
                objection = self._unhandled_objections.pop(0)
                task = await self.open_task(
                    Step.OBJECTION, [self._committee_role], decisions=[D.ANSWER, D.UPHOLD],
                    sla_working_days=self._rules.objection_answer_working_days, escalate_to=[Role.STREET_OFFICE],
                    note=objection.text,
                )
                self._objections[-len(self._unhandled_objections) - 1]["task_id"] = task.id
                pending.append(task)
            open_tasks = [t for t in pending if t.is_open]
            passed = workflow.now() >= end
            if passed and not open_tasks:
                self._notice["closed"] = workflow.now().isoformat()
                return False
            done = await self.wait_for(
                open_tasks, until=None if passed else end, interrupt=lambda: bool(self._unhandled_objections),
            )
            if done is None:
                continue
            pending.remove(done)
            answer = self.decision_of(done)
            for record in self._objections:
                if record.get("task_id") == done.id:
                    record.update(outcome=done.outcome, answer=answer.comment)
            if done.outcome == D.UPHOLD:
                for other in pending:
                    self.cancel_task(other, "an objection was upheld; the settlement is reviewed again")
                self._notice["upheld"] = done.id
                return True

    # ----------------------------------------------------------------- objections

    @workflow.update
    async def object(self, objection: ObjectionInput) -> CaseAck:
        """An owner objects during the public notice; the committee must answer before payment."""
        self._objections.append({"by": objection.actor.subject, "name": objection.actor.name, "text": objection.text, "at": workflow.now().isoformat()})
        self._unhandled_objections.append(objection)
        self.record("decision", step=Step.PUBLIC_NOTICE, actor=objection.actor, role=Role.OWNER, decision="object", comment=objection.text)
        return await self.answer()

    @object.validator
    def _validate_object(self, objection: ObjectionInput) -> None:
        if self.step != Step.PUBLIC_NOTICE or "end" not in self._notice or workflow.now().isoformat() >= self._notice["end"]:
            raise refusal(DecisionRefused(RefusalKind.CONFLICT, "objections are taken only during the public notice"))
        if not objection.actor.has_any([Role.OWNER, Role.OWNER_REP, Role.OWNERS_COMMITTEE]):
            raise refusal(DecisionRefused(RefusalKind.FORBIDDEN, "only owners can object to the notice"))
        if not covers(objection.actor.jurisdiction, self.scope):
            raise refusal(DecisionRefused(RefusalKind.FORBIDDEN, "the notice is for another estate"))

    # ----------------------------------------------------------------- hooks

    def check_in_context(self, task: HumanTask, decision: DecisionInput, data: BaseModel | None) -> None:
        if task.step == Step.PRICE_REVIEW and isinstance(data, PriceReviewData):
            check_price_review(self._money["requested_fen"], data, self._rules)
        if task.step == Step.SETTLEMENT_REVIEW and isinstance(data, PriceReviewData):
            check_price_review(self._money["settlement_fen"], data, self._rules)

    def facts(self) -> dict[str, Any]:
        req = self._req
        facts: dict[str, Any] = {
            "category": req.category.value, "category_label": CATEGORY_LABELS[req.category],
            "affected_scope": req.scope.value, "affected_scope_label": SCOPE_LABELS[req.scope],
            "scope_id": req.scope_id, "description": req.description, "attachments": list(req.attachments),
            "resubmission_of": req.resubmission_of, "street_takeover": self._takeover,
            "rules": self._rules.model_dump(mode="json"),
            **self._money,
        }
        if self._ctx is not None:
            facts.update(
                estate_name=self._ctx.estate_name, households=self._ctx.households,
                area_m2=f"{self._ctx.area_hundredths / 100:.2f}",
                property_company_id=self._ctx.property_company_id, pricing_agency_id=self._ctx.pricing_agency_id,
            )
        if "approved_fen" in self._money:
            facts["first_payment_max_fen"] = first_payment_fen(self._money["approved_fen"], self._rules)
        if self._notice:
            facts["public_notice"] = dict(self._notice)
        if self._objections:
            facts["objections"] = [dict(o) for o in self._objections]
        if self._shortfalls:
            facts["shortfalls"] = list(self._shortfalls)
        return facts
