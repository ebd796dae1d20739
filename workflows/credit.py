"""物业企业信用季度考评: one case per quarter, started by a Temporal Schedule.

- ``CreditAssessmentWorkflow`` grades every property company for the quarter (an activity stores
  the draft lines), the housing bureau reviews them — it may adjust a grade with a written reason
  (the ``adjust`` update, on the timeline and so in the hash-chained audit log) — and approves;
  the lines are published. The published quarter then takes objections to records (山东社会信用条例
  Art. 39: the ``object`` update): each opens an answer task for the record's recording unit, due
  in 3 working days (7 when other units are involved), with yellow and red cards and escalation to
  the bureau's supervisor. An upheld objection revokes the record and republishes the company's
  line with a note. The case closes when its objection window has passed and every answer is in.
- ``CreditQuarterWorkflow`` is what the schedule runs on the first day of each quarter: it starts
  the case of the quarter that just ended, once (the case id is the quarter's).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleCalendarSpec,
    ScheduleRange,
    ScheduleSpec,
)
from temporalio.common import RetryPolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

from core.schedules import ensure_schedule

with workflow.unsafe.imports_passed_through():
    from activities.credit import AdjustRequest, CreditActivities, DraftRequest, DraftSummary, PublishRequest, RevokeRequest
    from domain.access import SYSTEM_ACTOR, Role, Scope
    from domain.cases import CaseAck, CaseSnapshot, CaseStatus
    from domain.credit import Grade, Quarter, quarter_assessed_at
    from domain.credit_facts import (
        PROCESS_KIND,
        PROCESS_LABEL,
        STEP_LABELS,
        CreditAssessmentFacts,
        Objection,
        Step,
        grade_counts,
    )
    from domain.rules import CREDIT, CreditRules
    from domain.tasks import Decision, DecisionRefused, HumanTask, RefusalKind
    from workflows.credit_models import AdjustInput, CreditAssessmentInput, CreditQuarterInput, CreditQuarterResult, ObjectionInput
    from workflows.human_tasks import CaseWorkflow, refusal

SCHEDULE_ID = "credit-quarterly-assessment"
# Runs before it woke for a new objection only, not for the answer of one whose task was being opened.
OBJECTION_ANSWER_WAKES_PATCH = "credit-objection-answer-wakes"
CITY_TIME_ZONE = "Asia/Shanghai"
ACTIVITY_TIMEOUT = timedelta(minutes=5)
ACTIVITY_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))


def assessment_case_id(quarter: str) -> str:
    """One case per quarter: the schedule and the bureau starting it by hand find the same one."""
    return f"{PROCESS_KIND}-{quarter}"


@workflow.defn(name="CreditAssessment")
class CreditAssessmentWorkflow(CaseWorkflow):
    """季度考评: draft grades, the bureau's review, publication, then objections until the window ends."""

    kind = PROCESS_KIND
    kind_label = PROCESS_LABEL
    step_labels = STEP_LABELS

    @workflow.init
    def __init__(self, inp: CreditAssessmentInput) -> None:
        quarter = Quarter.parse(inp.quarter)
        self.init_case(case_id=assessment_case_id(inp.quarter), title=f"{quarter.label()}物业企业信用考评", scope=Scope(),
                       initiator=inp.initiator, first_step=Step.DRAFTING)
        self._inp = inp
        self._quarter = quarter
        self._grades: dict[str, Grade] = {}
        self._blacklisted: list[str] = []
        self._adjustments = 0
        self._adjusting = 0  # adjustments whose line is being stored
        self._review: HumanTask | None = None
        self._published_at: datetime | None = None
        self._objections: list[Objection] = []

    @workflow.run
    async def run(self, inp: CreditAssessmentInput) -> CaseSnapshot:
        return await self.run_process(self._process)

    async def _process(self) -> None:
        rules = self._inp.rules
        self.enter_step(Step.DRAFTING, quarter=str(self._quarter))
        taken_at = min(workflow.now(), self._quarter.end())
        draft: DraftSummary = await workflow.execute_activity_method(
            CreditActivities.draft, DraftRequest(case_id=self.case_id, quarter=str(self._quarter), at=taken_at, rules=rules),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        self._grades, self._blacklisted = dict(draft.grades), list(draft.blacklisted)
        self.enter_step(Step.BUREAU_REVIEW, companies=len(self._grades), grades=grade_counts(self._grades))
        self._review = await self.open_task(
            Step.BUREAU_REVIEW, [Role.HOUSING_BUREAU], decisions=[Decision.APPROVE], sla_working_days=rules.review_working_days,
            escalate_to=[Role.BUREAU_SUPERVISOR], note="审核考评初稿，可书面说明理由调整个别企业等级，审核通过后公布",
        )
        await self.wait_for([self._review])
        # An adjustment sent with the approval stores its line before the lines are published.
        await workflow.wait_condition(lambda: self._adjusting == 0)
        published = await workflow.execute_activity_method(
            CreditActivities.publish, PublishRequest(quarter=str(self._quarter), at=workflow.now()),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        self._published_at = workflow.now()
        self.mark_approved()
        self.enter_step(Step.PUBLISHED, comment=f"{self._quarter.label()}信用考评结果已公布", companies=published, grades=grade_counts(self._grades))
        await self._take_objections(rules)
        self.finish(CaseStatus.COMPLETED, Step.CLOSED, "异议受理期结束")

    async def _take_objections(self, rules: CreditRules) -> None:
        """Until the window ends and every objection is answered: settle each answer as it comes."""
        assert self._published_at is not None
        window_end = self._published_at + rules.objection_window
        while True:
            for objection in self._objections:
                if objection.outcome is None and objection.task_id is not None and not self.task(objection.task_id).is_open:
                    await self._settle(objection)
            waiting = [self.task(o.task_id) for o in self._objections if o.outcome is None and o.task_id is not None]
            now = workflow.now()
            if not waiting and now >= window_end:
                return
            await self.wait_for(waiting, until=window_end if now < window_end else None, interrupt=self._new_objection_since())

    def _new_objection_since(self) -> Callable[[], bool]:
        seen = len(self._objections)
        if not workflow.patched(OBJECTION_ANSWER_WAKES_PATCH):
            return lambda: len(self._objections) != seen
        # An objection whose answer task was still being opened when the loop last looked is not in
        # its waiting list: its answer must wake the loop too (else it waits for the window's end).
        return lambda: len(self._objections) != seen or any(
            o.outcome is None and o.task_id is not None and not self.task(o.task_id).is_open for o in self._objections)

    async def _settle(self, objection: Objection) -> None:
        assert objection.task_id is not None
        task = self.task(objection.task_id)
        decision = self.decision_of(task)
        objection.outcome, objection.answer, objection.answered_at = task.outcome, decision.comment, workflow.now()
        if task.outcome != Decision.UPHOLD:
            self.touch()
            return
        result = await workflow.execute_activity_method(
            CreditActivities.revoke,
            RevokeRequest(quarter=str(self._quarter), record_id=objection.record_id, reason=f"异议成立：{decision.comment}",
                          at=workflow.now(), rules=self._inp.rules),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        if result.grade_after is not None:
            self._grades[result.company_id] = result.grade_after
        self.record("system", step=Step.PUBLISHED, task_id=task.id, comment="记录已撤销，企业考评结果已更正并重新公布",
                    data={"record_id": objection.record_id, "company_id": result.company_id,
                          "grade_before": result.grade_before, "grade_after": result.grade_after, "republished": result.republished})
        self.touch()

    # ----------------------------------------------------------------- the bureau adjusts a draft grade

    @workflow.update
    async def adjust(self, request: AdjustInput) -> CaseAck:
        """调整等级: the bureau changes one draft grade, with its written reason (on the timeline)."""
        self._validate_adjust(request)
        data = request.data
        before = self._grades[data.company_id]
        self._grades[data.company_id] = data.grade
        self._adjustments += 1
        self.mark_acted()
        self.record("decision", step=Step.BUREAU_REVIEW, task_id=self._review.id if self._review else None, actor=request.actor,
                    role=Role.HOUSING_BUREAU, decision="adjust", comment=data.reason,
                    data={"company_id": data.company_id, "grade_before": before.value, "grade": data.grade.value})
        self._adjusting += 1
        try:
            await workflow.execute_activity_method(
                CreditActivities.adjust,
                AdjustRequest(quarter=str(self._quarter), company_id=data.company_id, grade=data.grade, reason=data.reason,
                              by=request.actor.subject),
                start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
            )
        finally:
            self._adjusting -= 1
        return await self.answer()

    @adjust.validator
    def _validate_adjust(self, request: AdjustInput) -> None:
        try:
            if self._review is None or not self._review.is_open:
                raise DecisionRefused(RefusalKind.CONFLICT, "grades are adjusted only while the bureau reviews the draft")
            if Role.HOUSING_BUREAU not in request.actor.roles:
                raise DecisionRefused(RefusalKind.FORBIDDEN, "only the housing bureau adjusts a grade")
            if request.data.company_id not in self._grades:
                raise DecisionRefused(RefusalKind.INVALID, f"no company {request.data.company_id} in this quarter's draft",
                                      [{"loc": ["company_id"], "msg": "不在本季度考评名单中", "type": "value_error"}])
        except DecisionRefused as exc:
            raise refusal(exc) from None

    # ----------------------------------------------------------------- objections (Art. 39)

    @workflow.update
    async def object(self, request: ObjectionInput) -> CaseAck:
        """A company objects to one of its records: the recording unit answers it within 3 (or 7) working days."""
        self._validate_object(request)
        rules = self._inp.rules
        days = rules.objection_joint_working_days if request.joint else rules.objection_working_days
        objection = Objection(id=f"o{len(self._objections) + 1}", record_id=request.record_id, company_id=request.company_id,
                              text=request.text, by=request.actor.subject, at=workflow.now(), working_days=days)
        self._objections.append(objection)
        self.mark_acted()
        self.record("decision", step=Step.PUBLISHED, actor=request.actor, role=Role.PROPERTY_COMPANY, decision="object",
                    comment=request.text, data={"record_id": request.record_id, "objection": objection.id})
        if request.company_id not in self.company_ids:
            self.company_ids = sorted({*self.company_ids, request.company_id})
        task = await self.open_task(
            Step.OBJECTION_ANSWER, [request.recording_role], decisions=[Decision.ANSWER, Decision.UPHOLD],
            sla_working_days=days, escalate_to=[Role.BUREAU_SUPERVISOR],
            note=f"{request.company_id} 对信用记录 {request.record_id} 提出异议：{request.text}",
        )
        objection.task_id = task.id
        return await self.answer()

    @object.validator
    def _validate_object(self, request: ObjectionInput) -> None:
        try:
            if self._published_at is None or self.is_final:
                raise DecisionRefused(RefusalKind.CONFLICT, "objections are taken once the quarter is published, until its window ends")
            if self._published_at + self._inp.rules.objection_window <= workflow.now():
                raise DecisionRefused(RefusalKind.CONFLICT, "this quarter's objection window has ended")
            actor = request.actor
            if Role.PROPERTY_COMPANY not in actor.roles or actor.jurisdiction.id != request.company_id:
                raise DecisionRefused(RefusalKind.FORBIDDEN, "only the company the record names objects to it")
            if any(o.record_id == request.record_id and o.outcome is None for o in self._objections):
                raise DecisionRefused(RefusalKind.CONFLICT, f"an objection to record {request.record_id} is being answered")
        except DecisionRefused as exc:
            raise refusal(exc) from None

    def facts(self) -> CreditAssessmentFacts:
        return CreditAssessmentFacts(
            quarter=str(self._quarter), companies=len(self._grades), grades=grade_counts(self._grades) if self._grades else {},
            blacklisted=len(self._blacklisted), adjustments=self._adjustments, published_at=self._published_at,
            objections_until=self._published_at + self._inp.rules.objection_window if self._published_at else None,
            objections=list(self._objections),
        )


@workflow.defn(name="CreditQuarter")
class CreditQuarterWorkflow:
    """What the quarterly schedule runs: start the assessment case of the quarter that just ended, once."""

    @workflow.run
    async def run(self, inp: CreditQuarterInput) -> CreditQuarterResult:
        quarter = inp.quarter or str(quarter_assessed_at(workflow.now()))
        case_id = assessment_case_id(quarter)
        try:
            await workflow.start_child_workflow(
                CreditAssessmentWorkflow.run, CreditAssessmentInput(quarter=quarter, initiator=inp.initiator or SYSTEM_ACTOR, rules=inp.rules),
                id=case_id, parent_close_policy=ParentClosePolicy.ABANDON,
            )
        except WorkflowAlreadyStartedError:
            return CreditQuarterResult(quarter=quarter, case_id=case_id, started=False)
        return CreditQuarterResult(quarter=quarter, case_id=case_id, started=True)


def credit_quarter_schedule(task_queue: str, rules: CreditRules = CREDIT) -> Schedule:
    """On the first day of January, April, July and October at ``schedule_hour`` city time."""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            CreditQuarterWorkflow.run, CreditQuarterInput(rules=rules), id=SCHEDULE_ID, task_queue=task_queue,
        ),
        spec=ScheduleSpec(
            calendars=[ScheduleCalendarSpec(
                month=[ScheduleRange(1, 10, 3)], day_of_month=[ScheduleRange(1)], hour=[ScheduleRange(rules.schedule_hour)],
            )],
            time_zone_name=CITY_TIME_ZONE,
        ),
    )


async def ensure_credit_schedule(client: Client, task_queue: str) -> bool:
    """Create the quarterly schedule, or bring the existing one in line; True when it was created."""
    return await ensure_schedule(client, SCHEDULE_ID, credit_quarter_schedule(task_queue))

