"""业委会选举换届: one owners' committee election (first or re-election) per case.

(Re-election: the committee convenes, or the street forms a 换届小组) → preparatory group → list
published → nominations → qualification review → candidate notice ≥ 15 days with objections →
voting → tally; a failed attempt is held again, two make the residents' committee the acting body;
a valid one is published, registered (arming the next re-election), met, filed and certified.
Ballots never pass through this workflow: the API writes them to the ``ballots`` table, whose
unique key gives one vote per unit, and the tally activity counts them at the close.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import ClassVar

from pydantic import BaseModel
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.election import (
        ActingBodyRequest,
        CandidateCheckRequest,
        ElectionActivities,
        ElectionContext,
        EstateRequest,
        FailedAttemptsRequest,
        OpenVotingRequest,
        TallyRequest,
    )
    from domain.access import Role, Scope, covers
    from domain.calendar import period_end
    from domain.cases import CaseAck, CaseSnapshot, CaseStatus
    from domain.election import (
        ELECTION_KIND_LABELS,
        OBJECTION_LABELS,
        OWNERS_COMMITTEE_BODY,
        PROCESS_KIND,
        PROCESS_LABEL,
        STEP_LABELS,
        ActingBodyData,
        CertificateData,
        ElectionKind,
        FilingData,
        GroupData,
        JustificationData,
        MeetingData,
        PublicationData,
        ReviewData,
        Step,
        Trigger,
    )
    from domain.election_candidates import CandidateList
    from domain.election_checks import check_acting_body, check_group, check_review, reelection_vote_by
    from domain.election_facts import (
        ActingBody,
        Attempt,
        ElectionFacts,
        ElectionGroup,
        ElectionNotes,
        ElectionPeriods,
    )
    from domain.objections import NoticePeriod
    from domain.rules import ElectionRules
    from domain.tally import OUTCOME_LABELS, TallyResult
    from domain.tasks import (
        Decision,
        DecisionInput,
        DecisionRefused,
        HumanTask,
        RefusalKind,
    )
    from workflows.election_acting import form_acting_body
    from workflows.election_aftermath import ElectionAftermath
    from workflows.election_deadlines import ElectionDeadlines
    from workflows.election_models import ElectionInput, NominationInput, ObjectionInput
    from workflows.election_tasks import (
        ACTIVITY_RETRY,
        ACTIVITY_TIMEOUT,
        FIRST_ASSEMBLY_DATE,
        STATUTORY_PERIODS,
        calendar_task,
        party_period_end,
    )
    from workflows.human_tasks import CaseWorkflow, DecisionModels, refusal
    from workflows.objection_window import AnswerPolicy, ObjectionWindow

D = Decision


@workflow.defn(name="OwnersCommitteeElection")
class OwnersCommitteeElectionWorkflow(CaseWorkflow):
    """One election of an estate's owners' committee, from its start to the filed certificate."""

    kind = PROCESS_KIND
    kind_label = PROCESS_LABEL
    step_labels = STEP_LABELS
    decision_data: ClassVar[DecisionModels] = {
        (Step.GROUP_FORMATION, D.SUBMIT): GroupData,
        (Step.GROUP_PUBLICATION, D.CONFIRM): PublicationData,
        (Step.QUALIFICATION_REVIEW, D.APPROVE): ReviewData,
        (Step.PARTY_MEMBER_ACKNOWLEDGEMENT, D.CONFIRM): JustificationData,
        (Step.FIRST_MEETING, D.SUBMIT): MeetingData,
        (Step.FILING, D.SUBMIT): FilingData,
        (Step.CERTIFICATE, D.APPROVE): CertificateData,
        (Step.ACTING_FORMATION, D.SUBMIT): ActingBodyData,
    }

    @workflow.init
    def __init__(self, inp: ElectionInput) -> None:
        req = inp.request
        self.init_case(
            case_id=inp.case_id, title=f"{ELECTION_KIND_LABELS[req.kind]}（{req.estate_id}）",
            scope=Scope(estate_id=req.estate_id), initiator=inp.initiator, first_step=Step.REPORTED,
        )
        self._req = req
        self._rules: ElectionRules = inp.rules
        self._trigger = inp.trigger
        self._term_end = inp.term_end
        self._ctx: ElectionContext | None = None
        self._group: GroupData | None = None
        self._group_label = "换届小组" if req.kind == ElectionKind.RE_ELECTION else "筹备组"
        self._nominees = CandidateList()
        self._window = ObjectionWindow(
            self, notice_step=Step.CANDIDATE_NOTICE, outside="objections are taken only during the candidate notice",
            max_objections=inp.rules.max_objections,
            full="too many objections on this notice; submit it in writing to the street office",
            upheld_ends_notice=False, passed_comment="公告期满，异议答复后开始投票",
        )
        self._attempt = 0
        self._failed = 0
        self._attempts: list[Attempt] = []
        self._periods = ElectionPeriods()
        self._notes = ElectionNotes()
        self._aftermath = ElectionAftermath(self, estate_id=req.estate_id, rules=inp.rules)
        self._deadlines = ElectionDeadlines(self, inp.rules, self._periods)
        self._vote_closes_at: datetime | None = None  # while the ballot box is open

    @workflow.run
    async def run(self, inp: ElectionInput) -> CaseSnapshot:
        return await self.run_process(self._process)

    # ----------------------------------------------------------------- the process

    async def _process(self) -> None:
        ctx = await workflow.execute_activity_method(
            ElectionActivities.load_context, EstateRequest(estate_id=self._req.estate_id),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        self._ctx = ctx
        self.scope = Scope(street_id=ctx.street_id, community_id=ctx.community_id, estate_id=self._req.estate_id)
        self.title = f"{ctx.estate_name} · {ELECTION_KIND_LABELS[self._req.kind]}"
        self.enter_step(Step.REPORTED, kind=self._req.kind.value, trigger=self._trigger.value)
        statutory = workflow.patched(STATUTORY_PERIODS)
        if statutory and self._req.kind == ElectionKind.RE_ELECTION:
            # The term the re-election replaces: the timer's, or the registry's for a clerk's start.
            expiring = self._term_end or (ctx.term_end if ctx.body == OWNERS_COMMITTEE_BODY else None)
            if expiring is not None:
                self._term_end = expiring
                await self._deadlines.track_term(reelection_vote_by(expiring, self._rules))
        group_period = self._rules.group_formation_period
        if self._trigger == Trigger.TERM_END:
            group_period = await self._committee_convenes()
        await self._form_group(group_period)
        while True:
            self._attempt += 1
            await self._nominate_and_review()
            await self._candidate_notice()
            result = await self._vote_and_tally()
            if result.valid:
                self._deadlines.held(self._attempts[-1].voting_end)
                break
            self._failed += 1
            await workflow.execute_activity_method(
                ElectionActivities.record_failed_attempts,
                FailedAttemptsRequest(estate_id=self._req.estate_id, failed=self._failed, at=workflow.now()),
                start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
            )
            if self._failed >= self._rules.failed_attempts_for_acting_body:
                await self._acting_body()
                return
        assert self._group is not None and self._ctx is not None
        await self._aftermath.run(result, self._nominees.by_id(), self._group, elected_at=workflow.now())
        self.finish(CaseStatus.COMPLETED, Step.CLOSED)

    async def _committee_convenes(self) -> timedelta:
        """潍坊 Art. 40: the committee convenes the re-election, or after 30 days the street forms a 换届小组."""
        self.enter_step(Step.REELECTION_CONVENE, term_end=self._term_end.isoformat() if self._term_end else None)
        task = await self.open_task(
            Step.REELECTION_CONVENE, [Role.OWNERS_COMMITTEE], decisions=[D.CONFIRM],
            note="任期届满前九十日应召开业主大会换届选举",
        )
        if workflow.patched(STATUTORY_PERIODS):
            deadline = await party_period_end(workflow.now(), self._rules.reelection_committee_grace)
        else:
            deadline = workflow.now() + self._rules.reelection_committee_grace
        task.due_at = deadline
        if await self.wait_for([task], until=deadline) is None:
            self.cancel_task(task, "the committee did not convene the re-election; the street forms a 换届小组")
            self._notes.street_formed_group = True
        return self._rules.reelection_group_period

    async def _form_group(self, period: timedelta) -> None:
        """筹备组 / 换届小组 formed by the street (≥ 7, odd, owners ≥ 1/2, street-led), then its list published."""
        self.enter_step(Step.GROUP_FORMATION, group=self._group_label)
        task = await calendar_task(
            self, self._rules, Step.GROUP_FORMATION, [Role.STREET_OFFICE], decisions=[D.SUBMIT], period=period,
            escalate_to=[Role.HOUSING_BUREAU], note=f"组建{self._group_label}",
        )
        await self.wait_for([task])
        group = self.data_of(task, GroupData)
        # A group that states no term gets the case's default (the statutory maximum, 潍坊 Art. 38).
        self._group = group.model_copy(update={"term_years": group.term_years or self._rules.term_years_default})
        formed = workflow.now()
        self._periods.group_formed_at = formed
        if self._req.kind == ElectionKind.RE_ELECTION:
            if workflow.patched(STATUTORY_PERIODS):
                await self._deadlines.track_group(formed)
            else:
                self._periods.election_due_at = period_end(formed, self._rules.reelection_election_period)
        elif workflow.patched(FIRST_ASSEMBLY_DATE):
            await self._deadlines.track_first_assembly(formed)
        self.enter_step(Step.GROUP_PUBLICATION)
        task = await calendar_task(
            self, self._rules, Step.GROUP_PUBLICATION, [Role.STREET_OFFICE], decisions=[D.CONFIRM],
            period=self._rules.group_publication_period, escalate_to=[Role.HOUSING_BUREAU],
        )
        await self.wait_for([task])
        self._notes.group_notice = self.data_of(task, PublicationData).notice

    async def _nominate_and_review(self) -> None:
        """Nomination window, then the street's review against the registry; a return reopens nominations."""
        while True:
            end = period_end(workflow.now(), self._rules.nomination_period)
            self._periods.nomination_end = end
            self._nominees.open = True
            self.enter_step(Step.NOMINATION, attempt=self._attempt, nomination_end=end.isoformat())
            await self.wait_for([], until=end)
            self._nominees.open = False
            pending = self._nominees.pending()
            if pending:
                findings = await workflow.execute_activity_method(
                    ElectionActivities.check_candidates,
                    CandidateCheckRequest(estate_id=self._req.estate_id, candidates=pending, at=workflow.now()),
                    start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
                )
                for c in pending:
                    c.findings = findings.get(c.id, [])
            self.enter_step(Step.QUALIFICATION_REVIEW)
            task = await self.open_task(
                Step.QUALIFICATION_REVIEW, [Role.STREET_OFFICE], decisions=[D.APPROVE, D.RETURN],
                sla_working_days=self._rules.qualification_review_working_days, escalate_to=[Role.HOUSING_BUREAU],
            )
            await self.wait_for([task])
            if task.outcome == D.RETURN:
                continue
            review = self.data_of(task, ReviewData)
            self._nominees.apply_review(review)
            if review.party_member_justification:
                self._notes.party_member_review_justification = review.party_member_justification
            return

    async def _candidate_notice(self) -> None:
        """公告 ≥ 15 days; every objection is answered before voting opens (山东 Art. 22; 潍坊 Art. 32)."""
        now = workflow.now()
        end = period_end(now, self._rules.candidate_notice_period)
        self._periods.notice_end = end
        self._periods.notice_passed_at = None
        self.enter_step(Step.CANDIDATE_NOTICE, notice_end=end.isoformat(), candidates=[c.id for c in self._nominees.standing()])
        # An upheld objection is re-checked and answered by the street; the notice runs on.
        period = NoticePeriod(start=now, end=end)
        await self._window.run(period, AnswerPolicy(
            step=Step.OBJECTION, roles=(Role.STREET_OFFICE,), working_days=self._rules.objection_answer_working_days,
            escalate_to=(Role.HOUSING_BUREAU,),
        ))
        self._periods.notice_passed_at = period.passed_at

    async def _vote_and_tally(self) -> TallyResult:
        """Open the ballot box for the voting period, then close and count it in one activity."""
        assert self._group is not None
        entries = self._nominees.ballot()
        self.enter_step(Step.VOTING, attempt=self._attempt)
        # The ballot box stores when voting ends, so a late tally cannot let later ballots in.
        closes_at = period_end(workflow.now(), self._rules.voting_period)
        opened = await workflow.execute_activity_method(
            ElectionActivities.open_voting,
            OpenVotingRequest(case_id=self.case_id, estate_id=self._req.estate_id, attempt=self._attempt,
                              seats=self._group.seats, candidates=entries, at=workflow.now(), closes_at=closes_at),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        end = closes_at
        self._periods.voting_end = end
        attempt = Attempt(attempt=self._attempt, election_id=opened.election_id, voters=opened.voters,
                          voting_opened_at=workflow.now(), voting_end=end)
        self._attempts.append(attempt)
        self.enter_step(Step.VOTING, election_id=opened.election_id, voting_end=end.isoformat())
        self._vote_closes_at = end
        await self.wait_for([], until=end)
        self._vote_closes_at = None
        self.enter_step(Step.TALLY)
        result: TallyResult = await workflow.execute_activity_method(
            ElectionActivities.tally, TallyRequest(election_id=opened.election_id, at=workflow.now(), rules=self._rules),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        attempt.outcome, attempt.outcome_label, attempt.tally = result.outcome, OUTCOME_LABELS[result.outcome], result
        self.enter_step(Step.TALLY, outcome=result.outcome.value, elected=result.elected, ballots=result.ballots)
        return result

    async def _acting_body(self) -> None:
        """Two failed attempts: the residents' committee chairs a 物业管理委员会 (潍坊 Arts. 41–43)."""
        assert self._ctx is not None
        await workflow.execute_activity_method(
            ElectionActivities.appoint_acting_body,
            ActingBodyRequest(estate_id=self._req.estate_id, community_id=self._ctx.community_id, at=workflow.now()),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        self._notes.acting_body = ActingBody(chair=self._ctx.community_id, since=workflow.now())
        await form_acting_body(self, self._rules, self._notes.acting_body)
        self.finish(CaseStatus.COMPLETED, Step.ACTING_COMMITTEE, "两次选举未能产生业委会，由居委会牵头成立物业管理委员会代行职责")

    # ----------------------------------------------------------------- nominations and objections

    @workflow.update
    async def nominate(self, nomination: NominationInput) -> CaseAck:
        """A nomination by the community Party organisation, the residents' committee or owners (潍坊 Art. 35)."""
        # Validators of updates delivered together all run before their handlers: check again here,
        # or two nominations of one unit both pass (潍坊 Art. 35) and the list outgrows max_candidates.
        self._validate_nominate(nomination)
        data, actor = nomination.data, nomination.actor
        candidate, role = self._nominees.nominate(data, actor)
        self.record("decision", step=Step.NOMINATION, actor=actor, role=role, decision="nominate",
                     data={"candidate_id": candidate.id, **data.model_dump(mode="json")})
        return await self.answer()

    @nominate.validator
    def _validate_nominate(self, nomination: NominationInput) -> None:
        try:
            if self.step != Step.NOMINATION:
                raise DecisionRefused(RefusalKind.CONFLICT, "nominations are taken only while the nomination window is open")
            self._nominees.check_nomination(nomination.data, nomination.actor, self.scope, self._rules)
        except DecisionRefused as exc:
            raise refusal(exc) from None

    @workflow.update
    async def object(self, objection: ObjectionInput) -> CaseAck:
        """An owner objects to an identity, a vote weight or a candidate; the street answers before the vote."""
        # As in ``nominate``: the validator saw the state before earlier updates of the same batch.
        self._validate_object(objection)
        data = objection.data
        self._window.accept(objection.actor, Role.OWNER, data.text, kind=data.kind.value, kind_label=OBJECTION_LABELS[data.kind],
                            household_id=data.household_id, data={"kind": data.kind.value})
        return await self.answer()

    @object.validator
    def _validate_object(self, objection: ObjectionInput) -> None:
        if self.step != Step.CANDIDATE_NOTICE:
            raise refusal(DecisionRefused(RefusalKind.CONFLICT, "objections are taken only during the candidate notice"))
        self._window.check_open()
        if not objection.actor.has_any([Role.OWNER, Role.OWNER_REP]):
            raise refusal(DecisionRefused(RefusalKind.FORBIDDEN, "only owners can object to the notice"))
        if not covers(objection.actor.jurisdiction, self.scope):
            raise refusal(DecisionRefused(RefusalKind.FORBIDDEN, "the notice is for another estate"))

    # ----------------------------------------------------------------- hooks

    async def wait_for(
        self, tasks: list[HumanTask], until: datetime | None = None, interrupt: Callable[[], bool] | None = None,
    ) -> HumanTask | None:
        """Every wait also runs the timers of the dates the election must be held by (cards, escalation)."""
        dates = self._deadlines.waiting(self._vote_closes_at)
        return await super().wait_for(tasks + [t for t in dates if t not in tasks], until, interrupt)

    def check_in_context(self, task: HumanTask, decision: DecisionInput, data: BaseModel | None) -> None:
        if isinstance(data, GroupData):
            check_group(data, self._rules)
        elif isinstance(data, ReviewData) and self._group is not None:
            check_review(self._nominees.candidates, data, self._group.seats, self._rules)
        elif isinstance(data, MeetingData):
            self._aftermath.check_meeting(data)
        elif isinstance(data, ActingBodyData):
            check_acting_body(data, self._rules)

    def facts(self) -> ElectionFacts:
        req, ctx, group = self._req, self._ctx, self._group
        periods = self._periods
        if self.step == Step.CANDIDATE_NOTICE and self._window.period is not None:
            # While the notice runs, whether its period has passed is the window's to say.
            periods = periods.model_copy(update={"notice_passed_at": self._window.period.passed_at})
        return ElectionFacts(
            **dict(periods), **dict(self._notes), **dict(self._aftermath.facts()),
            estate_id=req.estate_id, election_kind=req.kind, election_kind_label=ELECTION_KIND_LABELS[req.kind],
            trigger=self._trigger, description=req.description, attempt=self._attempt, failed_attempts=self._failed,
            rules=self._rules, expiring_term_end=self._term_end,
            estate_name=ctx.estate_name if ctx else None, households=ctx.households if ctx else None,
            area_m2=f"{ctx.area_hundredths / 100:.2f}" if ctx else None, owners=ctx.headcount if ctx else None,
            group=ElectionGroup(**dict(group), label=self._group_label) if group else None,
            seats=group.seats if group else None, candidates=self._nominees.labelled(), objections=self._window.objections,
            attempts=self._attempts,
        )
