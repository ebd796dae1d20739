"""招标 + 新旧物业衔接: a property-service tender, one workflow per case.

Publication and bidding (≥ 20 days) → opening (≥ 3 valid bids, or re-tender / direct selection
with the bureau's approval) → random expert draw → scoring → publicity of the candidates
(≥ 3 days, objections answered) → award → contract (30 days) → the handover, as a child workflow.
The numbers come from ``domain.rules``; the legal sources are cited there. The case's state and
facts are typed (``domain.tender_facts``).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel
from temporalio import workflow
from temporalio.exceptions import ApplicationError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.tender import (
        BidRequest,
        CompanyCheck,
        CompanyCheckRequest,
        ResultRequest,
        TenderActivities,
        TenderContext,
        TenderContextRequest,
    )
    from domain.access import Level, Role, Scope, covers
    from domain.cases import CaseAck, CaseSnapshot, CaseStatus
    from domain.tasks import DecisionInput, DecisionRefused, HumanTask, RefusalKind
    from domain.tender import (
        DIRECT_SELECT,
        EXIT_REASON_LABELS,
        METHOD_LABELS,
        PROCESS_KIND,
        PROCESS_LABEL,
        RECUSE,
        RETENDER,
        SELECTION_LABELS,
        STEP_LABELS,
        TIE_RULE,
        Bid,
        ContractData,
        DirectSelectData,
        RetenderData,
        ScoreData,
        Selection,
        Step,
        check_bid_deadline,
        check_scores,
        deadline_after_clarification,
        grade_encouraged,
        grade_encouragement,
    )
    from domain.tender_facts import (
        BidRound,
        Clarification,
        Contract,
        DeclinedAward,
        DirectSelection,
        OutgoingFacts,
        RefusedBid,
        TenderFacts,
    )
    from workflows.handover import HandoverInput, PropertyHandoverWorkflow
    from workflows.human_tasks import DecisionModels, refusal
    from workflows.tender_committee import ACTIVITY_RETRY, ACTIVITY_TIMEOUT, D
    from workflows.tender_contract import TenderContract
    from workflows.tender_models import BidInput, ClarificationInput, TenderInput, TenderObjectionInput


# Patch id: a late clarification is counted in whole calendar days, as the bid period is (实施条例 Art. 21;
# 民法典 Art. 201), and moves the deadline to the 15th day at its announced hour. Earlier cases counted 15 × 24 h.
CLARIFICATION_DAYS = "tender-clarification-whole-days"


@workflow.defn(name="PropertyTender")
class PropertyTenderWorkflow(TenderContract):
    """One tender for an estate's property service, from the announcement to the handover."""

    kind = PROCESS_KIND
    kind_label = PROCESS_LABEL
    step_labels = STEP_LABELS
    decision_data: ClassVar[DecisionModels] = {
        (Step.EVALUATION, D.SUBMIT): ScoreData,
        (Step.TENDER_FAILED, RETENDER): RetenderData,
        (Step.TENDER_FAILED, DIRECT_SELECT): DirectSelectData,
        (Step.CONTRACT, D.CONFIRM): ContractData,
    }

    @workflow.init
    def __init__(self, inp: TenderInput) -> None:
        req = inp.request
        self.init_case(case_id=inp.case_id, title=f"物业服务招标（{req.estate_id}）", scope=Scope(estate_id=req.estate_id),
                        initiator=inp.initiator, first_step=Step.BIDDING)
        self._init_committee()
        self._req = req
        self._rules = inp.rules
        self._handover_rules = inp.handover_rules
        self._method = req.method
        self._ctx: TenderContext | None = None
        self._round = 1
        self._published_at = inp.published_at or workflow.now()
        self._deadline = req.bid_deadline
        self._clarifications: list[Clarification] = []
        self._bids: dict[str, Bid] = {}
        self._refused: list[RefusedBid] = []
        self._registering = 0
        self._rounds: list[BidRound] = []
        self._direct: DirectSelection | None = None
        self._winner: str | None = None
        self._awarded_at: datetime | None = None
        self._contract: Contract | None = None
        self._declined: list[DeclinedAward] = []
        self._handover_case_id: str | None = None

    @workflow.run
    async def run(self, inp: TenderInput) -> CaseSnapshot:
        return await self.run_process(self._process)

    # ----------------------------------------------------------------- the process

    async def _process(self) -> None:
        ctx = await workflow.execute_activity_method(
            TenderActivities.load_context, TenderContextRequest(estate_id=self._req.estate_id),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        self._ctx = ctx
        self.scope = Scope(street_id=ctx.street_id, community_id=ctx.community_id, estate_id=self._req.estate_id)
        self.title = f"{ctx.estate_name} · 物业服务招标"
        try:
            # The same publication time the API checked, so the two cannot disagree (招标投标法 Art. 24).
            check_bid_deadline(self._published_at, self._deadline, self._rules)
        except DecisionRefused as exc:
            self.finish(CaseStatus.REJECTED, Step.CLOSED, exc.detail)
            return
        while True:
            while self._winner is None:
                if not await self._bidding_round():
                    continue
                await self._draw_committee()
                while True:
                    await self._evaluate()
                    if not await self._publish_candidates():
                        break
                top = self.candidates()
                if not top:
                    await self._tender_failed("no bid reached the qualifying score")
                    continue
                self._winner = top[0].company_id
            await self._award()
            # A winner that declines (实施条例 Art. 55): the next candidate is awarded, or the tender failed.
            if await self._sign_contract():
                break
        await self._hand_over()
        self.finish(CaseStatus.COMPLETED, Step.CLOSED)

    @property
    def _representative_role(self) -> Role:
        """The tenderer's side: the owners' (or residents') committee re-selecting, else the clerk."""
        assert self._ctx is not None
        if self._req.selection == Selection.FIRST:
            return Role.CLERK
        return Role.OWNERS_COMMITTEE if self._ctx.has_owners_committee else Role.COMMUNITY

    async def _bidding_round(self) -> bool:
        """招标公告及投标 until the deadline (moved by late clarifications); True if the bids can be opened."""
        self.enter_step(Step.BIDDING, round=self._round, bid_deadline=self._deadline.isoformat())
        while True:
            deadline = self._deadline
            await self.wait_for([], until=deadline, interrupt=lambda: self._deadline != deadline)  # noqa: B023 (awaited in this iteration)
            if workflow.now() >= self._deadline:
                break
        # A registration whose check is still running was made before the deadline: let it land.
        await workflow.wait_condition(lambda: self._registering == 0)
        valid = len(self._bids)
        self._rounds.append(BidRound(round=self._round, deadline=self._deadline, valid_bids=valid, refused=len(self._refused)))
        if valid >= self._rules.min_valid_bids:
            self.enter_step(Step.BID_OPENING, valid_bids=valid)
            return True
        # 招标投标法 Art. 28; 实施条例 Art. 44: fewer than 3 bids are not opened; the tenderer re-tenders.
        await self._tender_failed(f"{valid} valid bid(s), fewer than {self._rules.min_valid_bids}: not opened")
        return False

    async def _tender_failed(self, reason: str) -> None:
        """招标失败: re-tender with a new deadline, or direct selection approved by the housing bureau."""
        self.enter_step(Step.TENDER_FAILED, comment=reason, round=self._round)
        note = reason
        assert self._ctx is not None
        # Resettlement estates must use an open tender (policy 青政办发〔2020〕26号): no direct selection.
        options = [RETENDER] if self._ctx.resettlement else [RETENDER, DIRECT_SELECT]
        while True:
            task = await self.open_task(Step.TENDER_FAILED, [Role.CLERK], decisions=options, note=note)
            await self.wait_for([task])
            if task.outcome == RETENDER:
                data = self.data_of(task, RetenderData)
                self._round += 1
                self._published_at = workflow.now()
                self._deadline = data.bid_deadline
                self._bids, self._refused = {}, []
                return
            proposal = self.data_of(task, DirectSelectData)
            check = await self._check_company(proposal.company_id)
            if check.refusal:
                self.record("system", step=Step.TENDER_FAILED, comment=check.refusal, data={"company_id": proposal.company_id})
                note = f"{reason}; {proposal.company_id} refused: {check.refusal}"
                continue
            # 物业管理条例 Art. 24; 山东 Art. 14: direct selection only with the housing bureau's approval.
            self.enter_step(Step.DIRECT_SELECTION, company_id=proposal.company_id)
            approval = await self.open_task(
                Step.DIRECT_SELECTION, [Role.HOUSING_BUREAU], decisions=[D.APPROVE, D.REJECT],
                sla_working_days=self._rules.direct_selection_working_days, escalate_to=[Role.BUREAU_SUPERVISOR],
                note=f"直接选聘 {check.company_name}（信用等级 {check.credit_grade or '无'}）",
            )
            await self.wait_for([approval])
            self._direct = DirectSelection(company_id=proposal.company_id, company_name=check.company_name,
                                           outcome=approval.outcome, comment=self.decision_of(approval).comment)
            if approval.outcome == D.APPROVE:
                self._winner = proposal.company_id
                return
            note = f"{reason}; direct selection of {proposal.company_id} not approved"
            self.enter_step(Step.TENDER_FAILED, comment=note)

    async def _check_company(self, company_id: str) -> CompanyCheck:
        assert self._ctx is not None
        return await workflow.execute_activity_method(
            TenderActivities.check_company,
            CompanyCheckRequest(company_id=company_id, rules=self._rules),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )

    async def _award(self) -> None:
        """确定中标人: the committee's names are released with the result (招标投标法 Art. 37)."""
        assert self._ctx is not None and self._winner is not None
        self._awarded_at = workflow.now()
        self.mark_approved()
        if self._ranking and self._direct is None:
            await workflow.execute_activity_method(
                TenderActivities.record_result,
                ResultRequest(case_id=self.case_id, round=self._round, winner=self._winner, declined=[d.company_id for d in self._declined],
                              ranks={r.company_id: (r.rank, f"{r.average_score:.2f}") for r in self._ranking}),
                start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
            )
        outgoing = self._outgoing_company()
        self.company_ids = sorted({*self._bids, self._winner, *([outgoing] if outgoing else [])})
        self.enter_step(Step.AWARD, winner=self._winner)

    def _outgoing_company(self) -> str | None:
        assert self._ctx is not None
        return self._ctx.current_company_id if self._req.selection == Selection.RESELECTION else None

    async def _hand_over(self) -> None:
        """新旧物业衔接 as its own case (a child workflow): its own parties, timeline and months-long timers."""
        assert self._ctx is not None and self._winner is not None
        outgoing = self._outgoing_company()
        if outgoing == self._winner:
            self.enter_step(Step.HANDOVER, comment="the current company was selected again; nothing to hand over")
            return
        self._handover_case_id = self.case_id.replace(f"{PROCESS_KIND}-", "handover-", 1)
        terms = self._req.outgoing
        await workflow.start_child_workflow(
            PropertyHandoverWorkflow.run,
            HandoverInput(
                case_id=self._handover_case_id, tender_case_id=self.case_id, estate_id=self._req.estate_id,
                estate_name=self._ctx.estate_name, scope=self.scope, has_owners_committee=self._ctx.has_owners_committee,
                incoming_company_id=self._winner, outgoing_company_id=outgoing,
                reason=terms.reason if terms else None, agreed_exit_days=terms.agreed_exit_days if terms else None,
                agreed_notice_days=terms.agreed_notice_days if terms else None,
                contract_ends_on=terms.contract_ends_on if terms else None,
                initiator=self.initiator, rules=self._handover_rules, tender_rules=self._rules,
            ),
            id=self._handover_case_id,
            # The handover outlives the tender case, which ends once the handover has started.
            parent_close_policy=ParentClosePolicy.ABANDON,
        )
        self.enter_step(Step.HANDOVER, handover_case_id=self._handover_case_id)

    # ----------------------------------------------------------------- bids, clarifications, objections

    @workflow.update
    async def register_bid(self, request: BidInput) -> CaseAck:
        """A company registers its bid; eligibility comes from the data layer, a refusal says why."""
        assert self._ctx is not None and request.actor.jurisdiction.id is not None
        company_id = request.actor.jurisdiction.id
        # A bid is somebody acting on the case: the clerk can no longer withdraw it.
        self.mark_acted()
        self._registering += 1
        try:
            check = await workflow.execute_activity_method(
                TenderActivities.register_bid,
                BidRequest(case_id=self.case_id, round=self._round, company_id=company_id, price_fen_per_m2=request.bid.price_fen_per_m2,
                           plan=request.bid.plan, at=workflow.now(), rules=self._rules),
                start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
            )
        finally:
            self._registering -= 1
        data = {"company_id": company_id, "price_fen_per_m2": request.bid.price_fen_per_m2}
        if check.refusal:
            self._refused.append(RefusedBid(company_id=company_id, company_name=check.company_name, reason=check.refusal, round=self._round))
            self.record("decision", step=Step.BIDDING, actor=request.actor, role=Role.PROPERTY_COMPANY, decision="bid_refused",
                         comment=check.refusal, data=data)
        else:
            encouraged = grade_encouraged(check.credit_grade, resettlement=self._ctx.resettlement, selection=self._req.selection, rules=self._rules)
            self._bids[company_id] = Bid(company_id=company_id, company_name=check.company_name, credit_grade=check.credit_grade,
                                         price_fen_per_m2=request.bid.price_fen_per_m2, registered_at=workflow.now(),
                                         grade_encouraged=encouraged)
            self.record("decision", step=Step.BIDDING, actor=request.actor, role=Role.PROPERTY_COMPANY, decision="bid", data=data)
        ack = await self.answer()
        if check.refusal:
            raise ApplicationError(f"{check.company_name} may not bid: {check.refusal}", {"errors": []}, type="Refused.forbidden", non_retryable=True)
        return ack

    @register_bid.validator
    def _validate_register_bid(self, request: BidInput) -> None:
        actor = request.actor
        if self.step != Step.BIDDING or self._ctx is None or workflow.now() >= self._deadline:
            raise refusal(DecisionRefused(RefusalKind.CONFLICT, "bids are taken only before the bid deadline"))
        if Role.PROPERTY_COMPANY not in actor.roles or actor.jurisdiction.level != Level.COMPANY or not actor.jurisdiction.id:
            raise refusal(DecisionRefused(RefusalKind.FORBIDDEN, "only a property company's user can bid, for that company"))
        company_id = actor.jurisdiction.id
        if company_id in self._bids or any(r.company_id == company_id for r in self._refused):
            raise refusal(DecisionRefused(RefusalKind.CONFLICT, "your company is already registered in this round"))

    @workflow.update
    async def clarify(self, request: ClarificationInput) -> CaseAck:
        """A clarification to all bidders; later than 15 days before the deadline it moves the deadline."""
        now = workflow.now()
        moved = deadline_after_clarification(self._deadline, now, self._rules, whole_days=workflow.patched(CLARIFICATION_DAYS))
        entry = Clarification(at=now, text=request.text, deadline_before=self._deadline, deadline_after=moved)
        self._clarifications.append(entry)
        self._deadline = moved
        self.record("decision", step=Step.BIDDING, actor=request.actor, role=Role.CLERK, decision="clarify", comment=request.text,
                    data=entry.model_dump(mode="json"))
        return await self.answer()

    @clarify.validator
    def _validate_clarify(self, request: ClarificationInput) -> None:
        if self.step != Step.BIDDING or workflow.now() >= self._deadline:
            raise refusal(DecisionRefused(RefusalKind.CONFLICT, "clarifications are issued only before the bid deadline"))
        if Role.CLERK not in request.actor.roles or not covers(request.actor.jurisdiction, self.scope):
            raise refusal(DecisionRefused(RefusalKind.FORBIDDEN, "only the tender's clerk can clarify the documents"))

    @workflow.update
    async def object(self, objection: TenderObjectionInput) -> CaseAck:
        """A bidder or owner objects to the result during the publicity; the award waits for the answer."""
        role = next(r for r in objection.actor.roles if r in (Role.PROPERTY_COMPANY, Role.OWNER, Role.OWNERS_COMMITTEE))
        self._window.accept(objection.actor, role, objection.text)
        return await self.answer()

    @object.validator
    def _validate_object(self, objection: TenderObjectionInput) -> None:
        actor = objection.actor
        self._window.check_open()
        bidder = Role.PROPERTY_COMPANY in actor.roles and actor.jurisdiction.level == Level.COMPANY and actor.jurisdiction.id in self._bids
        owner = actor.has_any([Role.OWNER, Role.OWNERS_COMMITTEE]) and actor.jurisdiction.level == Level.ESTATE and covers(actor.jurisdiction, self.scope)
        if not (bidder or owner):
            raise refusal(DecisionRefused(RefusalKind.FORBIDDEN, "only a bidder or an owner of the estate can object"))

    # ----------------------------------------------------------------- hooks

    def check_in_context(self, task: HumanTask, decision: DecisionInput, data: BaseModel | None) -> None:
        self._check_decline(task, decision)
        if decision.decision == RECUSE and not (decision.comment or "").strip():
            raise DecisionRefused(RefusalKind.INVALID, "a recusal needs its reason in 'comment'")
        if task.step == Step.EVALUATION and isinstance(data, ScoreData):
            check_scores(data, sorted(self._bids), self._rules)
        if isinstance(data, RetenderData):
            check_bid_deadline(workflow.now(), data.bid_deadline, self._rules)

    def facts(self) -> TenderFacts:
        req, ctx = self._req, self._ctx
        outgoing = req.outgoing
        return TenderFacts(
            selection=req.selection, selection_label=SELECTION_LABELS[req.selection], method=req.method,
            method_label=METHOD_LABELS[req.method], tie_rule=TIE_RULE, summary=req.summary, round=self._round,
            published_at=self._published_at, bid_deadline=self._deadline, clarifications=list(self._clarifications),
            bids=list(self._bids.values()), refused_bids=list(self._refused), rounds=list(self._rounds), rules=self._rules,
            outgoing=OutgoingFacts(**outgoing.model_dump(), reason_label=EXIT_REASON_LABELS[outgoing.reason]) if outgoing else None,
            estate_name=ctx.estate_name if ctx else None, resettlement=ctx.resettlement if ctx else None,
            grade_encouragement=grade_encouragement(resettlement=ctx.resettlement, selection=req.selection, rules=self._rules) if ctx else None,
            current_company_id=ctx.current_company_id if ctx else None, ranking=list(self._ranking),
            publicity=self._publicity, objections=self._window.objections, direct_selection=self._direct,
            winner=self._winner if self._awarded_at else None, awarded_at=self._awarded_at, contract=self._contract,
            declined=list(self._declined),
            handover_case_id=self._handover_case_id, expert_draw=self.committee_facts(released=self._awarded_at is not None),
        )
