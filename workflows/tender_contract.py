"""The tender's contract step: both sides sign within 30 days, or the winner declines the award.

A mixin of :class:`workflows.tender.PropertyTenderWorkflow`. A winner that declines (放弃中标,
实施条例 Art. 55) gets a bad credit record through the one credit-record writer, with the tender
as its source (once per tender and company); the next qualified candidate in the committee's
order becomes the winner, and when none is left the tender has failed (re-tender or direct
selection). Older runs opened the contract task without the decline: ``AWARD_DECLINE_PATCH``.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.tender import AwardDeclinedRequest, TenderActivities
    from domain.access import Role
    from domain.tasks import DecisionInput, DecisionRefused, HumanTask, RefusalKind
    from domain.tender import DECLINE_AWARD, ContractData, Step
    from domain.tender_facts import Contract, DeclinedAward, DirectSelection
    from workflows.calendar_periods import calendar_sla, statute_party_deadline
    from workflows.tender_committee import ACTIVITY_RETRY, ACTIVITY_TIMEOUT, D, TenderCommittee

AWARD_DECLINE_PATCH = "tender-award-decline"


class TenderContract(TenderCommittee):
    """签订物业服务合同, or 放弃中标 and what follows."""

    _winner: str | None
    _awarded_at: datetime | None
    _contract: Contract | None
    _direct: DirectSelection | None
    _declined: list[DeclinedAward]

    async def _tender_failed(self, reason: str) -> None:
        raise NotImplementedError

    async def _sign_contract(self) -> bool:
        """签订物业服务合同 within 30 days of the award (招标投标法 Art. 46): both sides sign. False: the winner declined."""
        assert self._winner is not None
        self.enter_step(Step.CONTRACT)
        decisions: list[str] = [D.CONFIRM, DECLINE_AWARD] if workflow.patched(AWARD_DECLINE_PATCH) else [D.CONFIRM]
        task = await self.open_task(Step.CONTRACT, [self._representative_role, Role.PROPERTY_COMPANY], decisions=decisions,
                                    countersign=True, company_id=self._winner)
        # Both parties must sign by then: a last day that is a rest day moves on (民法典 Art. 203 para. 1).
        calendar_sla(task, await statute_party_deadline(workflow.now(), self._rules.contract_period), self._rules.remind_before)
        await self.wait_for([task])
        if task.outcome == DECLINE_AWARD:
            await self._award_declined(task)
            return False
        data = self.data_of(task, ContractData)
        self._contract = Contract(contract_no=data.contract_no, signed_at=workflow.now())
        return True

    async def _award_declined(self, task: HumanTask) -> None:
        """放弃中标: the bad record, then the next candidate in the committee's order, or the tender has failed."""
        declined = self._winner
        assert declined is not None
        reason = self.decision_of(task).comment or ""
        record_id = await workflow.execute_activity_method(
            TenderActivities.award_declined, AwardDeclinedRequest(case_id=self.case_id, company_id=declined, reason=reason),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        self._declined.append(DeclinedAward(company_id=declined, at=workflow.now(), reason=reason, credit_record_id=record_id))
        self._winner, self._awarded_at = None, None
        gone = {d.company_id for d in self._declined}
        # 实施条例 Art. 55: the other candidates in the committee's order (a directly selected company has none).
        remaining = [r for r in self.candidates() if r.company_id not in gone] if self._direct is None else []
        self.record("system", step=Step.CONTRACT, task_id=task.id, comment=f"{declined} 放弃中标，已记入不良信用记录",
                    data={"company_id": declined, "credit_record_id": record_id,
                          "next_winner": remaining[0].company_id if remaining else None})
        if remaining:
            self._winner = remaining[0].company_id
            return
        self._direct = None
        await self._tender_failed(f"{declined} declined the award (放弃中标) and no other candidate remains")

    def _check_decline(self, task: HumanTask, decision: DecisionInput) -> None:
        """Only the winning company declines, and says why."""
        if decision.decision != DECLINE_AWARD:
            return
        if Role.PROPERTY_COMPANY not in decision.actor.roles:
            raise DecisionRefused(RefusalKind.FORBIDDEN, "only the winning company can decline the award")
        if not (decision.comment or "").strip():
            raise DecisionRefused(RefusalKind.INVALID, "declining the award needs its reason in 'comment'")
