"""After a valid election: publication, registry and next re-election, the Party-member acknowledgement,
first meeting (7 days), filing (30 days), certificate (10 days), the acting body's handover (7 days).

The committee exists from the day it is elected: its term starts then, and the first meeting (山东
Art. 30), the filing (Art. 31) and the acting body's handover (潍坊 Art. 44) count from that day,
whatever the street office's Party-member acknowledgement, which runs alongside them.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.election import (
        ActingBodyRequest,
        CertificateRequest,
        ElectionActivities,
        RegisterCommitteeRequest,
    )
    from domain.access import Role
    from domain.election import (
        Candidate,
        CertificateData,
        FilingData,
        GroupData,
        JustificationData,
        MeetingData,
        Step,
    )
    from domain.election_checks import reelection_starts_at, reelection_vote_by, term_end
    from domain.election_facts import AftermathFacts, ElectedMember, Filing
    from domain.rules import ElectionRules
    from domain.tally import TallyResult
    from domain.tasks import Decision, DecisionRefused, HumanTask, RefusalKind
    from workflows.election_tasks import ACTIVITY_RETRY, ACTIVITY_TIMEOUT, STATUTORY_PERIODS, calendar_task
    from workflows.election_term import (
        CommitteeTermInput,
        CommitteeTermWorkflow,
        term_workflow_id,
    )
    from workflows.human_tasks import CaseWorkflow

D = Decision


class ElectionAftermath:
    """The steps that follow a valid result, held by the election workflow; it keeps their facts."""

    def __init__(self, case: CaseWorkflow, *, estate_id: str, rules: ElectionRules) -> None:
        self._case = case
        self._estate_id = estate_id
        self._rules = rules
        self._facts = AftermathFacts()

    def facts(self) -> AftermathFacts:
        """The aftermath's part of the election's facts (its keys sit flat in them)."""
        return self._facts

    def check_meeting(self, data: MeetingData) -> None:
        """The chair and vice-chairs are chosen among the elected members (山东 Art. 30)."""
        names = {m.name for m in self._facts.elected}
        strangers = [n for n in [data.chair, *data.vice_chairs] if n not in names]
        if strangers:
            raise DecisionRefused(RefusalKind.INVALID, f"not elected members: {', '.join(strangers)}")

    async def run(self, result: TallyResult, candidates: dict[str, Candidate], group: GroupData, *, elected_at: datetime) -> None:
        """From the counted result to the certificate: register the committee, arm its re-election, file it."""
        case, rules = self._case, self._rules
        self._facts.elected = [
            ElectedMember(candidate_id=cid, name=candidates[cid].name, household_id=candidates[cid].household_id,
                          party_member=candidates[cid].party_member)
            for cid in result.elected
        ]
        if not workflow.patched(STATUTORY_PERIODS):
            # Cases started before: the acknowledgement first, then the term and the periods from then.
            if result.party_members_elected < rules.party_members_min:
                await self._acknowledge_party_members(result.party_members_elected)
            case.mark_approved()
            handover = await self._register(group, workflow.now())
            await self._meeting_filing_certificate(handover)
            return
        self._facts.elected_at = elected_at
        case.mark_approved()
        handover = await self._register(group, elected_at)
        waiting: list[HumanTask] = []
        if result.party_members_elected < rules.party_members_min:
            waiting.append(await self._party_member_task(result.party_members_elected))
        case.enter_step(Step.FIRST_MEETING)
        waiting += await self._meeting_filing_handover(handover, elected_at)
        await self._settle_all(waiting)

    async def _register(self, group: GroupData, start: datetime) -> bool:
        """Record the committee and its term from ``start``, publish the result, arm the next re-election.

        Returns whether an acting body must hand over.
        """
        case, rules = self._case, self._rules
        end = term_end(start, group.term_years or rules.term_years_default)
        handover: bool = await workflow.execute_activity_method(
            ElectionActivities.register_committee,
            RegisterCommitteeRequest(estate_id=self._estate_id, case_id=case.case_id,
                                     members=[m.model_dump() for m in self._facts.elected],
                                     seats=group.seats, term_start=start, term_end=end,
                                     reelection_starts_at=reelection_starts_at(end, rules),
                                     reelection_vote_by=reelection_vote_by(end, rules)),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        self._facts.term_start, self._facts.term_end = start, end
        case.enter_step(Step.RESULT_PUBLICATION, elected=[m.name for m in self._facts.elected], term_end=end.isoformat())
        # The new term arms the next re-election (潍坊 Art. 40): its timer outlives this case.
        await workflow.start_child_workflow(
            CommitteeTermWorkflow.run, CommitteeTermInput(estate_id=self._estate_id, term_end=end, rules=rules),
            id=term_workflow_id(self._estate_id, end), parent_close_policy=ParentClosePolicy.ABANDON,
        )
        self._facts.reelection_timer = term_workflow_id(self._estate_id, end)
        return handover

    async def _party_member_task(self, elected: int) -> HumanTask:
        """The street office's written justification for fewer Party members, alongside the committee's first steps."""
        rules = self._rules
        self._case.enter_step(Step.PARTY_MEMBER_ACKNOWLEDGEMENT, party_members=elected)
        return await self._case.open_task(
            Step.PARTY_MEMBER_ACKNOWLEDGEMENT, [Role.STREET_OFFICE], decisions=[D.CONFIRM],
            sla_working_days=rules.qualification_review_working_days, escalate_to=[Role.HOUSING_BUREAU],
            note=f"当选成员中党员 {elected} 名，少于原则要求的 {rules.party_members_min} 名",
        )

    async def _meeting_filing_handover(self, handover: bool, elected_at: datetime) -> list[HumanTask]:
        """The first meeting (7 days, 山东 Art. 30), the filing (30 days, Art. 31) and the acting body's
        handover (7 days, 潍坊 Art. 44), each counted from the day the committee was elected."""
        case, rules = self._case, self._rules
        tasks = [
            await calendar_task(
                case, rules, Step.FIRST_MEETING, [Role.OWNERS_COMMITTEE], decisions=[D.SUBMIT],
                period=rules.first_meeting_period, escalate_to=[Role.STREET_OFFICE], start=elected_at,
            ),
            await calendar_task(
                case, rules, Step.FILING, [Role.OWNERS_COMMITTEE], decisions=[D.SUBMIT], period=rules.filing_period,
                escalate_to=[Role.STREET_OFFICE], start=elected_at,
            ),
        ]
        if handover:
            tasks.append(await calendar_task(
                case, rules, Step.HANDOVER, [Role.COMMUNITY], decisions=[D.CONFIRM], period=rules.acting_handover_period,
                escalate_to=[Role.STREET_OFFICE], start=elected_at,
            ))
        return tasks

    async def _settle_all(self, waiting: list[HumanTask]) -> None:
        """Wait for every task, settling each as it is decided; a filing brings the certificate task."""
        while waiting:
            done = await self._case.wait_for(waiting)
            assert done is not None
            waiting.remove(done)
            follow_up = await self._settle(done)
            if follow_up is not None:
                waiting.append(follow_up)

    # ----------------------------------------------------------------- cases started before STATUTORY_PERIODS

    async def _acknowledge_party_members(self, elected: int) -> None:
        """The policy's "in principle": fewer Party members elected needs a written justification, not a block."""
        rules = self._rules
        self._case.enter_step(Step.PARTY_MEMBER_ACKNOWLEDGEMENT, party_members=elected)
        task = await self._case.open_task(
            Step.PARTY_MEMBER_ACKNOWLEDGEMENT, [Role.STREET_OFFICE], decisions=[D.CONFIRM],
            sla_working_days=rules.qualification_review_working_days, escalate_to=[Role.HOUSING_BUREAU],
            note=f"当选成员中党员 {elected} 名，少于原则要求的 {rules.party_members_min} 名",
        )
        await self._case.wait_for([task])
        self._facts.party_member_justification = self._case.data_of(task, JustificationData).justification

    async def _meeting_filing_certificate(self, handover: bool) -> None:
        """Meeting, filing and handover counted from when they open (after the acknowledgement)."""
        case, rules = self._case, self._rules
        case.enter_step(Step.FIRST_MEETING)
        meeting = await calendar_task(
            case, rules, Step.FIRST_MEETING, [Role.OWNERS_COMMITTEE], decisions=[D.SUBMIT],
            period=rules.first_meeting_period, escalate_to=[Role.STREET_OFFICE],
        )
        filing = await calendar_task(
            case, rules, Step.FILING, [Role.OWNERS_COMMITTEE], decisions=[D.SUBMIT], period=rules.filing_period,
            escalate_to=[Role.STREET_OFFICE],
        )
        waiting: list[HumanTask] = [meeting, filing]
        if handover:
            # 潍坊 Art. 44: the acting 物业管理委员会 hands over within 7 days of the election.
            waiting.append(await calendar_task(
                case, rules, Step.HANDOVER, [Role.COMMUNITY], decisions=[D.CONFIRM], period=rules.acting_handover_period,
                escalate_to=[Role.STREET_OFFICE],
            ))
        await self._settle_all(waiting)

    async def _settle(self, done: HumanTask) -> HumanTask | None:
        """Record a decided meeting, filing, certificate or handover task; a filing opens the certificate task."""
        case, rules = self._case, self._rules
        if done.step == Step.FIRST_MEETING:
            self._facts.first_meeting = case.data_of(done, MeetingData)
        elif done.step == Step.FILING:
            self._facts.filing = Filing(**dict(case.data_of(done, FilingData)), filed_at=workflow.now())
            case.enter_step(Step.CERTIFICATE)
            return await calendar_task(
                case, rules, Step.CERTIFICATE, [Role.HOUSING_BUREAU], decisions=[D.APPROVE], period=rules.certificate_period,
                escalate_to=[Role.BUREAU_SUPERVISOR],
            )
        elif done.step == Step.CERTIFICATE:
            certificate_no = case.data_of(done, CertificateData).certificate_no
            self._facts.certificate_no = certificate_no
            await workflow.execute_activity_method(
                ElectionActivities.set_certificate,
                CertificateRequest(estate_id=self._estate_id, case_id=case.case_id, certificate_no=certificate_no,
                                   at=workflow.now()),
                start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
            )
        elif done.step == Step.PARTY_MEMBER_ACKNOWLEDGEMENT:
            self._facts.party_member_justification = case.data_of(done, JustificationData).justification
        elif done.step == Step.HANDOVER:
            self._facts.handover_at = workflow.now()
            await workflow.execute_activity_method(
                ElectionActivities.finish_handover,
                ActingBodyRequest(estate_id=self._estate_id, community_id=case.scope.community_id or "", at=workflow.now()),
                start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
            )
        return None
