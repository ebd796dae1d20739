"""维修资金应急使用 + 预算核价: emergency use of the maintenance fund, one workflow per case.

Report → joint on-site verification (countersign) → budget → price review by the pricing agency →
housing-bureau review (2 working days) → first payment (≤ 50%) → completion acceptance →
settlement and its price review → public notice (≥ 5 days, objections answered) → final payment.
The numbers come from ``domain.rules``; the legal sources are cited there. The case's state is typed
(``domain.fund_facts``), and so are the facts it shows.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.fund_emergency import (
        FreezeNoticeRequest,
        FrozenNotice,
        FundCaseContext,
        FundContextRequest,
        FundEmergencyActivities,
        PaymentRequest,
    )
    from domain.access import Role, Scope, covers
    from domain.cases import CaseAck, CaseSnapshot, CaseStatus
    from domain.fund_emergency import (
        CATEGORY_LABELS,
        PROCESS_KIND,
        PROCESS_LABEL,
        STEP_LABELS,
        AcceptanceData,
        BudgetData,
        PriceReviewData,
        SettlementData,
        Step,
        check_price_review,
        first_payment_fen,
    )
    from domain.fund_facts import (
        Budget,
        FundFacts,
        FundMoney,
        Payment,
        PaymentKind,
        PriceReview,
        PublicNotice,
        Settlement,
        StreetUrge,
        fund_facts,
    )
    from domain.fund_ledger import PaymentOutcome, Shortfall
    from domain.rules import FundEmergencyRules
    from domain.tasks import Decision, DecisionInput, DecisionRefused, HumanTask, RefusalKind
    from workflows.calendar_periods import after_deadline, statute_period_end
    from workflows.fund_emergency_models import FundEmergencyInput, ObjectionInput
    from workflows.fund_repair_stall import VERIFICATION_URGED, submitted_budget, urged
    from workflows.human_tasks import CaseWorkflow, DecisionModels, refusal
    from workflows.objection_window import AnswerPolicy, ObjectionWindow

D = Decision
ACTIVITY_TIMEOUT = timedelta(seconds=60)
ACTIVITY_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30))
# Patch id: the public notice's shares are stored when it starts and the final payment debits them (淄博
# Art. 67: the notice shows each household's apportionment). Cases started before it read and pay by the
# registry's areas of the moment.
NOTICE_SHARES_FROZEN = "fund-notice-frozen-shares"


@workflow.defn(name="MaintenanceFundEmergency")
class MaintenanceFundEmergencyWorkflow(CaseWorkflow):
    """One emergency repair paid from the maintenance fund, from report to final payment."""

    kind = PROCESS_KIND
    kind_label = PROCESS_LABEL
    step_labels = STEP_LABELS
    decision_data: ClassVar[DecisionModels] = {
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
        self._money = FundMoney()
        self._notice: PublicNotice | None = None
        self._notice_no: int | None = None
        self.urge: StreetUrge | None = None
        self._shortfalls: list[Shortfall] = []
        self._window = ObjectionWindow(
            self, notice_step=Step.PUBLIC_NOTICE, outside="objections are taken only during the public notice",
            upheld_cancels="an objection was upheld; the settlement is reviewed again",
        )

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
        await self._pay(PaymentKind.FIRST, first_payment_fen(self._approved(self._money.price_review), self._rules), Step.FIRST_PAYMENT)
        await self._completion_acceptance()
        while True:
            await self._settlement()
            if not await self._public_notice():
                break
        settled = self._approved(self._money.settlement_review)
        await self._pay(PaymentKind.FINAL, settled, Step.FINAL_PAYMENT, settles=f"{self.case_id}:{PaymentKind.FIRST.value}")
        self.finish(CaseStatus.COMPLETED, Step.CLOSED)

    @staticmethod
    def _approved(review: PriceReview | None) -> int:
        assert review is not None, "a payment follows its price review"
        return review.approved_fen

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
        urge_first = workflow.patched(VERIFICATION_URGED)
        if urge_first:
            task.due_at = deadline  # the parties see by when they must countersign (a red card when it passes)
        done = await self.wait_for([task], until=deadline)
        if done is None and urge_first:
            # 聊城 Art. 51: those responsible are first urged with a deadline; then the street organises the repair.
            if not await urged(self, task, "no joint verification in time: the street office urges it (聊城 Art. 51)",
                               acted="the parties completed the verification"):
                assert self.urge is not None
                await self.street_takeover(self.urge.deadline)
                return True
            done = task
        if done is None:
            self.cancel_task(task, "verification deadline passed; the street office takes over")
            await self.street_takeover()
            return True
        if done.outcome == D.REJECT:
            self.finish(CaseStatus.REJECTED, Step.CLOSED, self.decision_of(done).comment)
            return False
        return True

    async def street_takeover(self, after: datetime | None = None) -> None:
        """街道组织维修 (聊城 Art. 51): the street office organises the repair and submits in the company's place;
        its working days count from the day of the deadline (``after``) whose passing hands it over."""
        self.enter_step(Step.STREET_TAKEOVER)
        takeover = await self.open_task(
            Step.STREET_TAKEOVER, [Role.STREET_OFFICE], decisions=[D.ORGANISE],
            sla_working_days=self._rules.street_takeover_working_days, escalate_to=[Role.HOUSING_BUREAU],
            sla_start=after_deadline(after) if after is not None else None,
        )
        await self.wait_for([takeover])
        self._takeover = True

    @property
    def rules(self) -> FundEmergencyRules:
        return self._rules

    @property
    def taken_over(self) -> bool:
        return self._takeover

    async def _budget_and_reviews(self) -> bool:
        """Budget → price review → bureau review; a review may return to the step before or reject."""
        step = Step.BUDGET_SUBMISSION
        while True:
            self.enter_step(step)
            if step == Step.BUDGET_SUBMISSION:
                task = await self.open_task(step, [self._submitter], decisions=[D.SUBMIT], company_id=self._submitter_company())
                task = await submitted_budget(self, task)
                budget = self.data_of(task, BudgetData)
                self._money.budget = Budget(amount_fen=budget.amount_fen, contractor=budget.contractor, items=list(budget.items))
                step = Step.PRICE_REVIEW
                continue
            task = await self._review_task(step)
            await self.wait_for([task])
            if task.outcome == D.REJECT:
                self.finish(CaseStatus.REJECTED, Step.CLOSED, self.decision_of(task).comment)
                return False
            if task.outcome == D.RETURN:
                step = Step.BUDGET_SUBMISSION if step == Step.PRICE_REVIEW else Step.PRICE_REVIEW
                continue
            if step == Step.PRICE_REVIEW:
                review = self.data_of(task, PriceReviewData)
                self._money.price_review = PriceReview(
                    submitted_fen=self._requested_fen(), approved_fen=review.approved_amount_fen, reasons=review.reasons,
                )
                step = Step.BUREAU_REVIEW
                continue
            self.mark_approved()
            return True

    async def _review_task(self, step: Step) -> HumanTask:
        """预算核价 by the pricing agency, or 住建局审核 within 2 working days (滨州 Art. 43)."""
        assert self._ctx is not None
        if step == Step.PRICE_REVIEW:
            return await self.open_task(
                step, [Role.PRICING_AGENCY], decisions=[D.APPROVE, D.RETURN, D.REJECT],
                company_id=self._ctx.pricing_agency_id, sla_working_days=self._rules.price_review_working_days,
                escalate_to=[Role.HOUSING_BUREAU],
            )
        return await self.open_task(
            step, [Role.HOUSING_BUREAU], decisions=[D.APPROVE, D.RETURN, D.REJECT],
            sla_working_days=self._rules.bureau_review_working_days,
            remind_before=self._rules.remind_before_working_days,
            escalate_after=self._rules.escalate_after_working_days,
            escalate_to=[Role.BUREAU_SUPERVISOR],
        )

    def _requested_fen(self) -> int:
        assert self._money.budget is not None, "a review follows its budget"
        return self._money.budget.amount_fen

    def _settled_fen(self) -> int:
        assert self._money.settlement is not None, "a settlement review follows its settlement"
        return self._money.settlement.amount_fen

    async def _pay(self, kind: PaymentKind, amount_fen: int, step: Step, settles: str | None = None) -> None:
        """Pay out of the fund; a shortfall blocks with a top-up task until the accounts are topped up."""
        assert self._ctx is not None
        self.enter_step(step)
        budget = self._money.budget
        while True:
            outcome: PaymentOutcome = await workflow.execute_activity_method(
                FundEmergencyActivities.pay,
                PaymentRequest(
                    case_id=self.case_id, kind=kind.value, amount_fen=amount_fen, estate_id=self._req.estate_id,
                    scope=self._req.scope.value, scope_id=self._req.scope_id, payee=budget.contractor if budget else None,
                    settles=settles, rules=self._rules,
                    notice_no=self._notice.notice_no if kind == PaymentKind.FINAL and self._notice else None,
                ),
                start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
            )
            if outcome.paid:
                self._shortfalls = []
                self._money.payments.append(Payment(
                    kind=kind, amount_fen=outcome.amount_fen, paid_at=workflow.now(), households=outcome.households,
                    top_ups_due=list(outcome.top_ups_due),
                ))
                self.enter_step(step, CaseStatus.ACTIVE, paid_fen=outcome.amount_fen, households=outcome.households)
                return
            self._shortfalls = list(outcome.shortfalls)
            self.enter_step(Step.TOP_UP, CaseStatus.BLOCKED, payment=kind.value, shortfalls=len(outcome.shortfalls))
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
        step = Step.SETTLEMENT_SUBMISSION if self._money.settlement is None else Step.SETTLEMENT_REVIEW
        while True:
            self.enter_step(step)
            if step == Step.SETTLEMENT_SUBMISSION:
                task = await self.open_task(step, [self._submitter], decisions=[D.SUBMIT], company_id=self._submitter_company())
                await self.wait_for([task])
                settlement = self.data_of(task, SettlementData)
                self._money.settlement = Settlement(amount_fen=settlement.amount_fen, acceptance_certificate=settlement.acceptance_certificate)
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
            self._money.settlement_review = PriceReview(
                submitted_fen=self._settled_fen(), approved_fen=review.approved_amount_fen, reasons=review.reasons,
            )
            return

    async def _public_notice(self) -> bool:
        """公示 of at least 5 days (淄博 Art. 67), to 24:00 of the 5th; every objection is answered before payment.

        True if an objection was upheld: the settlement goes back to its review and the notice starts again.
        """
        start = workflow.now()
        end = statute_period_end(start, self._rules.public_notice)
        settled = self._approved(self._money.settlement_review)
        self._notice = PublicNotice(start=start, end=end, settlement_fen=settled)
        if workflow.patched(NOTICE_SHARES_FROZEN):
            self._notice = await self._freeze_notice(self._notice)
        self.enter_step(Step.PUBLIC_NOTICE, notice_end=end.isoformat())
        answers = AnswerPolicy(
            step=Step.OBJECTION, roles=(self._committee_role,), working_days=self._rules.objection_answer_working_days,
            escalate_to=(Role.STREET_OFFICE,),
        )
        return await self._window.run(self._notice, answers) is not None

    async def _freeze_notice(self, notice: PublicNotice) -> PublicNotice:
        """Store the shares the notice publishes: what owners read and object to is what the final payment debits."""
        number = (self._notice_no or 0) + 1
        frozen: FrozenNotice = await workflow.execute_activity_method(
            FundEmergencyActivities.freeze_notice,
            FreezeNoticeRequest(case_id=self.case_id, notice_no=number, settlement_fen=notice.settlement_fen,
                                estate_id=self._req.estate_id, scope=self._req.scope.value, scope_id=self._req.scope_id),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        self._notice_no = number
        return notice.model_copy(update={"notice_no": number, "households": frozen.households})

    # ----------------------------------------------------------------- objections

    @workflow.update
    async def object(self, objection: ObjectionInput) -> CaseAck:
        """An owner objects during the public notice; the committee must answer before payment."""
        self._window.accept(objection.actor, Role.OWNER, objection.text)
        return await self.answer()

    @object.validator
    def _validate_object(self, objection: ObjectionInput) -> None:
        self._window.check_open()
        if not objection.actor.has_any([Role.OWNER, Role.OWNER_REP, Role.OWNERS_COMMITTEE]):
            raise refusal(DecisionRefused(RefusalKind.FORBIDDEN, "only owners can object to the notice"))
        if not covers(objection.actor.jurisdiction, self.scope):
            raise refusal(DecisionRefused(RefusalKind.FORBIDDEN, "the notice is for another estate"))

    # ----------------------------------------------------------------- hooks

    def check_in_context(self, task: HumanTask, decision: DecisionInput, data: BaseModel | None) -> None:
        if task.step == Step.PRICE_REVIEW and isinstance(data, PriceReviewData):
            check_price_review(self._requested_fen(), data, self._rules)
        if task.step == Step.SETTLEMENT_REVIEW and isinstance(data, PriceReviewData):
            check_price_review(self._settled_fen(), data, self._rules)

    def facts(self) -> FundFacts:
        return fund_facts(
            self._req, self._rules, takeover=self._takeover, estate=self._ctx, money=self._money, notice=self._notice,
            objections=self._window.objections, shortfalls=self._shortfalls, urge=self.urge,
        )
