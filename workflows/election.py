"""业委会选举换届: one owners' committee election (first or re-election) per case.

(Re-election: the committee convenes, or the street forms a 换届小组) → preparatory group → list
published → nominations → qualification review → candidate notice ≥ 15 days with objections →
voting → tally; a failed attempt is held again, two make the residents' committee the acting body;
a valid one is published, registered (arming the next re-election), met, filed and certified.
Ballots never pass through this workflow: the API writes them to the ``ballots`` table, whose
unique key gives one vote per unit, and the tally activity counts them at the close.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

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
    from domain.cases import CaseAck, CaseSnapshot, CaseStatus
    from domain.election import (
        CANDIDATE_STATUS_LABELS,
        CHANNEL_LABELS,
        ELECTION_KIND_LABELS,
        OBJECTION_LABELS,
        PROCESS_KIND,
        PROCESS_LABEL,
        STEP_LABELS,
        Candidate,
        CandidateStatus,
        CertificateData,
        ElectionKind,
        FilingData,
        GroupData,
        JustificationData,
        MeetingData,
        NominationChannel,
        PublicationData,
        ReviewData,
        Step,
        Trigger,
    )
    from domain.calendar import period_end
    from domain.election_checks import check_group, check_review
    from domain.rules import ElectionRules
    from domain.tally import OUTCOME_LABELS, CandidateEntry, TallyResult
    from domain.tasks import Decision, DecisionInput, DecisionRefused, HumanTask, RefusalKind
    from workflows.election_aftermath import ACTIVITY_RETRY, ACTIVITY_TIMEOUT, ElectionAftermath
    from workflows.election_models import ElectionInput, NominationInput, ObjectionInput
    from workflows.human_tasks import CaseWorkflow, refusal

D = Decision
NOMINATORS = {
    Role.COMMUNITY: {NominationChannel.PARTY_ORG, NominationChannel.RESIDENTS_COMMITTEE},
    Role.OWNER: {NominationChannel.SELF, NominationChannel.JOINT},
}


@workflow.defn(name="OwnersCommitteeElection")
class OwnersCommitteeElectionWorkflow(ElectionAftermath, CaseWorkflow):
    """One election of an estate's owners' committee, from its start to the filed certificate."""

    kind = PROCESS_KIND
    kind_label = PROCESS_LABEL
    step_labels = STEP_LABELS
    decision_data: dict[tuple[str, str], type[BaseModel]] = {
        (Step.GROUP_FORMATION, D.SUBMIT): GroupData,
        (Step.GROUP_PUBLICATION, D.CONFIRM): PublicationData,
        (Step.QUALIFICATION_REVIEW, D.APPROVE): ReviewData,
        (Step.PARTY_MEMBER_ACKNOWLEDGEMENT, D.CONFIRM): JustificationData,
        (Step.FIRST_MEETING, D.SUBMIT): MeetingData,
        (Step.FILING, D.SUBMIT): FilingData,
        (Step.CERTIFICATE, D.APPROVE): CertificateData,
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
        self._candidates: list[Candidate] = []
        self._nominations_open = False
        self._objections: list[dict[str, Any]] = []
        self._unhandled: list[ObjectionInput] = []
        self._notice_end: str | None = None
        self._attempt = 0
        self._failed = 0
        self._attempts: list[dict[str, Any]] = []
        self._dates: dict[str, str] = {}
        self._notes: dict[str, Any] = {}
        self._elected: list[dict[str, Any]] = []
        self._after: dict[str, Any] = {}

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
        await self.after_election(result)
        self.finish(CaseStatus.COMPLETED, Step.CLOSED)

    async def calendar_task(
        self, step: str, roles: list[Role], *, decisions: list[str], period: timedelta, escalate_to: list[Role],
        note: str | None = None,
    ) -> HumanTask:
        """A task due within calendar days (日): yellow before, red at and escalation after its due time."""
        task = await self.open_task(step, roles, decisions=decisions, escalate_to=escalate_to, note=note)
        now = workflow.now()
        task.due_at = period_end(now, period)
        task.remind_at = max(now, task.due_at - self._rules.remind_before)
        task.escalate_at = task.due_at + self._rules.escalate_after
        return task

    async def _committee_convenes(self) -> timedelta:
        """潍坊 Art. 40: the committee convenes the re-election, or after 30 days the street forms a 换届小组."""
        self.enter_step(Step.REELECTION_CONVENE, term_end=self._term_end.isoformat() if self._term_end else None)
        task = await self.open_task(
            Step.REELECTION_CONVENE, [Role.OWNERS_COMMITTEE], decisions=[D.CONFIRM],
            note="任期届满前九十日应召开业主大会换届选举",
        )
        deadline = workflow.now() + self._rules.reelection_committee_grace
        task.due_at = deadline
        if await self.wait_for([task], until=deadline) is None:
            self.cancel_task(task, "the committee did not convene the re-election; the street forms a 换届小组")
            self._notes["street_formed_group"] = True
        return self._rules.reelection_group_period

    async def _form_group(self, period: timedelta) -> None:
        """筹备组 / 换届小组 formed by the street (≥ 7, odd, owners ≥ 1/2, street-led), then its list published."""
        self.enter_step(Step.GROUP_FORMATION, group=self._group_label)
        task = await self.calendar_task(
            Step.GROUP_FORMATION, [Role.STREET_OFFICE], decisions=[D.SUBMIT], period=period,
            escalate_to=[Role.HOUSING_BUREAU], note=f"组建{self._group_label}",
        )
        await self.wait_for([task])
        self._group = self.data_of(task, GroupData)
        formed = workflow.now()
        self._dates["group_formed_at"] = formed.isoformat()
        if self._req.kind == ElectionKind.RE_ELECTION:
            self._dates["election_due_at"] = period_end(formed, self._rules.reelection_election_period).isoformat()
        self.enter_step(Step.GROUP_PUBLICATION)
        task = await self.calendar_task(
            Step.GROUP_PUBLICATION, [Role.STREET_OFFICE], decisions=[D.CONFIRM],
            period=self._rules.group_publication_period, escalate_to=[Role.HOUSING_BUREAU],
        )
        await self.wait_for([task])
        self._notes["group_notice"] = self.data_of(task, PublicationData).notice

    async def _nominate_and_review(self) -> None:
        """Nomination window, then the street's review against the registry; a return reopens nominations."""
        while True:
            end = period_end(workflow.now(), self._rules.nomination_period)
            self._dates["nomination_end"] = end.isoformat()
            self._nominations_open = True
            self.enter_step(Step.NOMINATION, attempt=self._attempt, nomination_end=end.isoformat())
            await self.wait_for([], until=end)
            self._nominations_open = False
            pending = [c for c in self._candidates if c.status == CandidateStatus.NOMINATED]
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
            reasons = {r.candidate_id: r.reason for r in review.rejections}
            for c in self._candidates:
                if c.id in reasons:
                    c.status, c.reason = CandidateStatus.REJECTED, reasons[c.id]
                elif c.status == CandidateStatus.NOMINATED:
                    c.status = CandidateStatus.QUALIFIED
            if review.party_member_justification:
                self._notes["party_member_review_justification"] = review.party_member_justification
            return

    async def _candidate_notice(self) -> None:
        """公告 ≥ 15 days; every objection is answered before voting opens (山东 Art. 22; 潍坊 Art. 32)."""
        end = period_end(workflow.now(), self._rules.candidate_notice_period)
        self._notice_end = end.isoformat()
        self._dates["notice_end"] = end.isoformat()
        self._dates.pop("notice_passed_at", None)
        self.enter_step(Step.CANDIDATE_NOTICE, notice_end=end.isoformat(), candidates=[c.id for c in self._standing()])
        pending: list[HumanTask] = []
        while True:
            while self._unhandled:
                objection = self._unhandled.pop(0)
                task = await self.open_task(
                    Step.OBJECTION, [Role.STREET_OFFICE], decisions=[D.ANSWER, D.UPHOLD],
                    sla_working_days=self._rules.objection_answer_working_days, escalate_to=[Role.HOUSING_BUREAU],
                    note=f"{OBJECTION_LABELS[objection.data.kind]}：{objection.data.text}",
                )
                self._objections[-len(self._unhandled) - 1]["task_id"] = task.id
                pending.append(task)
            open_tasks = [t for t in pending if t.is_open]
            passed = workflow.now() >= end
            if passed and not open_tasks:
                return
            if passed and "notice_passed_at" not in self._dates:
                self._dates["notice_passed_at"] = workflow.now().isoformat()
                self.enter_step(Step.CANDIDATE_NOTICE, comment="公告期满，异议答复后开始投票", open_objections=len(open_tasks))
            done = await self.wait_for(open_tasks, until=None if passed else end, interrupt=lambda: bool(self._unhandled))
            if done is None:
                continue
            answer = self.decision_of(done)
            for record in self._objections:
                if record.get("task_id") == done.id:
                    record.update(outcome=done.outcome, answer=answer.comment)

    async def _vote_and_tally(self) -> TallyResult:
        """Open the ballot box for the voting period, then close and count it in one activity."""
        assert self._group is not None
        entries = [CandidateEntry(id=c.id, name=c.name, party_member=c.party_member, order=c.order) for c in self._standing()]
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
        self._dates["voting_end"] = end.isoformat()
        self._attempts.append({"attempt": self._attempt, "election_id": opened.election_id, "voters": opened.voters,
                               "voting_opened_at": workflow.now().isoformat(), "voting_end": end.isoformat()})
        self.enter_step(Step.VOTING, election_id=opened.election_id, voting_end=end.isoformat())
        await self.wait_for([], until=end)
        self.enter_step(Step.TALLY)
        result: TallyResult = await workflow.execute_activity_method(
            ElectionActivities.tally, TallyRequest(election_id=opened.election_id, at=workflow.now(), rules=self._rules),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        self._attempts[-1].update(outcome=result.outcome.value, outcome_label=OUTCOME_LABELS[result.outcome],
                                  tally=result.model_dump(mode="json"))
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
        self._notes["acting_body"] = {"chair": self._ctx.community_id, "since": workflow.now().isoformat()}
        self.finish(CaseStatus.COMPLETED, Step.ACTING_COMMITTEE, "两次选举未能产生业委会，由居委会牵头成立物业管理委员会代行职责")

    def _standing(self) -> list[Candidate]:
        return [c for c in self._candidates if c.status == CandidateStatus.QUALIFIED]

    # ----------------------------------------------------------------- nominations and objections

    @workflow.update
    async def nominate(self, nomination: NominationInput) -> CaseAck:
        """A nomination by the community Party organisation, the residents' committee or owners (潍坊 Art. 35)."""
        # Validators of updates delivered together all run before their handlers: check again here,
        # or two nominations of one unit both pass (潍坊 Art. 35) and the list outgrows max_candidates.
        self._validate_nominate(nomination)
        data, actor = nomination.data, nomination.actor
        role = next(r for r in actor.roles if r in NOMINATORS and data.channel in NOMINATORS[r])
        candidate = Candidate(
            id=f"c{len(self._candidates) + 1}", order=len(self._candidates) + 1, household_id=data.household_id,
            name=data.name, party_member=data.party_member, channel=data.channel, co_nominators=list(data.co_nominators),
            statement=data.statement, nominated_by=actor.subject, nominated_by_name=actor.name,
        )
        self._candidates.append(candidate)
        self.record("decision", step=Step.NOMINATION, actor=actor, role=role, decision="nominate",
                     data={"candidate_id": candidate.id, **data.model_dump(mode="json")})
        return await self._answer()

    @nominate.validator
    def _validate_nominate(self, nomination: NominationInput) -> None:
        data, actor = nomination.data, nomination.actor
        try:
            if self.step != Step.NOMINATION or not self._nominations_open:
                raise DecisionRefused(RefusalKind.CONFLICT, "nominations are taken only while the nomination window is open")
            if not any(r in NOMINATORS and data.channel in NOMINATORS[r] for r in actor.roles):
                raise DecisionRefused(RefusalKind.FORBIDDEN, f"your role cannot nominate through '{data.channel.value}'")
            if not covers(actor.jurisdiction, self.scope):
                raise DecisionRefused(RefusalKind.FORBIDDEN, "the election is outside your jurisdiction")
            if len(self._candidates) >= self._rules.max_candidates:
                raise DecisionRefused(RefusalKind.CONFLICT, f"the list is full ({self._rules.max_candidates} nominations)")
            if any(c.household_id == data.household_id and c.status != CandidateStatus.REJECTED for c in self._candidates):
                raise DecisionRefused(RefusalKind.CONFLICT, f"the owner of {data.household_id} is already nominated")
        except DecisionRefused as exc:
            raise refusal(exc) from None

    @workflow.update
    async def object(self, objection: ObjectionInput) -> CaseAck:
        """An owner objects to an identity, a vote weight or a candidate; the group answers before the vote."""
        # As in ``nominate``: the validator saw the state before earlier updates of the same batch.
        self._validate_object(objection)
        record = {"kind": objection.data.kind.value, "kind_label": OBJECTION_LABELS[objection.data.kind],
                  "household_id": objection.data.household_id, "text": objection.data.text,
                  "by": objection.actor.subject, "name": objection.actor.name, "at": workflow.now().isoformat()}
        self._objections.append(record)
        self._unhandled.append(objection)
        self.record("decision", step=Step.CANDIDATE_NOTICE, actor=objection.actor, role=Role.OWNER, decision="object",
                     comment=objection.data.text, data={"kind": objection.data.kind.value})
        return await self._answer()

    @object.validator
    def _validate_object(self, objection: ObjectionInput) -> None:
        if self.step != Step.CANDIDATE_NOTICE or self._notice_end is None or workflow.now().isoformat() >= self._notice_end:
            raise refusal(DecisionRefused(RefusalKind.CONFLICT, "objections are taken only during the candidate notice"))
        if not objection.actor.has_any([Role.OWNER, Role.OWNER_REP]):
            raise refusal(DecisionRefused(RefusalKind.FORBIDDEN, "only owners can object to the notice"))
        if not covers(objection.actor.jurisdiction, self.scope):
            raise refusal(DecisionRefused(RefusalKind.FORBIDDEN, "the notice is for another estate"))
        if len(self._objections) >= self._rules.max_objections:
            raise refusal(DecisionRefused(RefusalKind.CONFLICT, "too many objections on this notice; submit it in writing to the street office"))

    async def _answer(self) -> CaseAck:
        return await self.answer()

    # ----------------------------------------------------------------- hooks

    def check_in_context(self, task: HumanTask, decision: DecisionInput, data: BaseModel | None) -> None:
        if isinstance(data, GroupData):
            check_group(data, self._rules)
        elif isinstance(data, ReviewData) and self._group is not None:
            check_review(self._candidates, data, self._group.seats, self._rules)
        elif isinstance(data, MeetingData):
            self.check_meeting(data)

    def facts(self) -> dict[str, Any]:
        req = self._req
        facts: dict[str, Any] = {
            "estate_id": req.estate_id, "election_kind": req.kind.value, "election_kind_label": ELECTION_KIND_LABELS[req.kind],
            "trigger": self._trigger.value, "description": req.description, "attempt": self._attempt,
            "failed_attempts": self._failed, "rules": self._rules.model_dump(mode="json"), **self._dates, **self._notes,
        }
        if self._term_end is not None:
            facts["expiring_term_end"] = self._term_end.isoformat()
        if self._ctx is not None:
            facts.update(estate_name=self._ctx.estate_name, households=self._ctx.households,
                         area_m2=f"{self._ctx.area_hundredths / 100:.2f}", owners=self._ctx.headcount)
        if self._group is not None:
            facts["group"] = {"label": self._group_label, **self._group.model_dump(mode="json")}
            facts["seats"] = self._group.seats
        if self._candidates:
            facts["candidates"] = [
                {**c.model_dump(mode="json"), "status_label": CANDIDATE_STATUS_LABELS[c.status],
                 "channel_label": CHANNEL_LABELS[c.channel]}
                for c in self._candidates
            ]
        if self._objections:
            facts["objections"] = [dict(o) for o in self._objections]
        if self._attempts:
            facts["attempts"] = [dict(a) for a in self._attempts]
        facts.update(self.aftermath_facts())
        return facts
