"""After a valid election: Party-member acknowledgement, publication, registry and next re-election,
first meeting (7 days), filing (30 days), certificate (10 days), the acting body's handover (7 days)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.election import ActingBodyRequest, CertificateRequest, ElectionActivities, RegisterCommitteeRequest
    from domain.access import Role
    from domain.election import CertificateData, FilingData, JustificationData, MeetingData, Step
    from domain.election_checks import term_end
    from domain.tally import TallyResult
    from domain.tasks import Decision, DecisionRefused, HumanTask, RefusalKind
    from workflows.election_term import CommitteeTermInput, CommitteeTermWorkflow, term_workflow_id

D = Decision
ACTIVITY_TIMEOUT = timedelta(seconds=60)
ACTIVITY_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30))


class ElectionAftermath:
    """The steps that follow a valid result; mixed into the election workflow, whose state it uses."""

    _elected: list[dict[str, Any]]
    _after: dict[str, Any]

    async def after_election(self, result: TallyResult) -> None:
        assert self._group is not None and self._ctx is not None
        by_id = {c.id: c for c in self._candidates}
        self._elected = [
            {"candidate_id": cid, "name": by_id[cid].name, "household_id": by_id[cid].household_id,
             "party_member": by_id[cid].party_member}
            for cid in result.elected
        ]
        if result.party_members_elected < self._rules.party_members_min:
            # The policy's "in principle": a written justification, not a block.
            self.enter_step(Step.PARTY_MEMBER_ACKNOWLEDGEMENT, party_members=result.party_members_elected)
            task = await self.open_task(
                Step.PARTY_MEMBER_ACKNOWLEDGEMENT, [Role.STREET_OFFICE], decisions=[D.CONFIRM],
                sla_working_days=self._rules.qualification_review_working_days, escalate_to=[Role.HOUSING_BUREAU],
                note=f"当选成员中党员 {result.party_members_elected} 名，少于原则要求的 {self._rules.party_members_min} 名",
            )
            await self.wait_for([task])
            self._after["party_member_justification"] = self.data_of(task, JustificationData).justification
        self.mark_approved()
        start = workflow.now()
        end = term_end(start, self._group.term_years)
        handover = await workflow.execute_activity_method(
            ElectionActivities.register_committee,
            RegisterCommitteeRequest(estate_id=self._req.estate_id, case_id=self.case_id, members=self._elected,
                                     seats=self._group.seats, term_start=start, term_end=end),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        self._after.update(term_start=start.isoformat(), term_end=end.isoformat())
        self.enter_step(Step.RESULT_PUBLICATION, elected=[m["name"] for m in self._elected], term_end=end.isoformat())
        # The new term arms the next re-election (潍坊 Art. 40): its timer outlives this case.
        await workflow.start_child_workflow(
            CommitteeTermWorkflow.run, CommitteeTermInput(estate_id=self._req.estate_id, term_end=end, rules=self._rules),
            id=term_workflow_id(self._req.estate_id, end), parent_close_policy=ParentClosePolicy.ABANDON,
        )
        self._after["reelection_timer"] = term_workflow_id(self._req.estate_id, end)
        await self._meeting_filing_certificate(handover)

    async def _meeting_filing_certificate(self, handover: bool) -> None:
        rules = self._rules
        self.enter_step(Step.FIRST_MEETING)
        meeting = await self.calendar_task(
            Step.FIRST_MEETING, [Role.OWNERS_COMMITTEE], decisions=[D.SUBMIT], period=rules.first_meeting_period,
            escalate_to=[Role.STREET_OFFICE],
        )
        filing = await self.calendar_task(
            Step.FILING, [Role.OWNERS_COMMITTEE], decisions=[D.SUBMIT], period=rules.filing_period,
            escalate_to=[Role.STREET_OFFICE],
        )
        waiting: list[HumanTask] = [meeting, filing]
        if handover:
            # 潍坊 Art. 44: the acting 物业管理委员会 hands over within 7 days of the election.
            waiting.append(await self.calendar_task(
                Step.HANDOVER, [Role.COMMUNITY], decisions=[D.CONFIRM], period=rules.acting_handover_period,
                escalate_to=[Role.STREET_OFFICE],
            ))
        while waiting:
            done = await self.wait_for(waiting)
            assert done is not None
            waiting.remove(done)
            if done.step == Step.FIRST_MEETING:
                self._after["first_meeting"] = self.data_of(done, MeetingData).model_dump(mode="json")
            elif done.step == Step.FILING:
                self._after["filing"] = {**self.data_of(done, FilingData).model_dump(mode="json"), "filed_at": workflow.now().isoformat()}
                self.enter_step(Step.CERTIFICATE)
                waiting.append(await self.calendar_task(
                    Step.CERTIFICATE, [Role.HOUSING_BUREAU], decisions=[D.APPROVE], period=rules.certificate_period,
                    escalate_to=[Role.BUREAU_SUPERVISOR],
                ))
            elif done.step == Step.CERTIFICATE:
                certificate_no = self.data_of(done, CertificateData).certificate_no
                self._after["certificate_no"] = certificate_no
                await workflow.execute_activity_method(
                    ElectionActivities.set_certificate,
                    CertificateRequest(estate_id=self._req.estate_id, case_id=self.case_id, certificate_no=certificate_no,
                                       at=workflow.now()),
                    start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
                )
            elif done.step == Step.HANDOVER:
                self._after["handover_at"] = workflow.now().isoformat()
                await workflow.execute_activity_method(
                    ElectionActivities.finish_handover,
                    ActingBodyRequest(estate_id=self._req.estate_id, community_id=self.scope.community_id or "", at=workflow.now()),
                    start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
                )

    def check_meeting(self, data: MeetingData) -> None:
        """The chair and vice-chairs are chosen among the elected members (山东 Art. 30)."""
        names = {m["name"] for m in self._elected}
        strangers = [n for n in [data.chair, *data.vice_chairs] if n not in names]
        if strangers:
            raise DecisionRefused(RefusalKind.INVALID, f"not elected members: {', '.join(strangers)}")

    def aftermath_facts(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self._after)
        if self._elected:
            out["elected"] = list(self._elected)
        return out
