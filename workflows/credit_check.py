"""物业企业月检查: one case per street, company and month, started by a monthly Temporal Schedule.

- ``CreditMonthlyCheckWorkflow``: the street fills in the check sheet (items and maximum scores from
  the rules); each deficient item gets a rectification period the street sets within the rules'
  bounds and opens a follow-up task (整改) for the company. When the company reports, or the period
  ends, the street re-checks (复查) the item; one still unrectified becomes a bad credit record with
  the case as its source (once per case and item). The sheet's score feeds the quarterly assessment.
- ``CreditMonthWorkflow``: what the schedule runs on the first of each month: it waits for the
  month's first working day on the published holiday calendar and starts one case per street and
  property company serving an estate there, once (the case id is the month's, street's and company's).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import ClassVar

from pydantic import BaseModel
from temporalio import workflow
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleCalendarSpec,
    ScheduleRange,
    ScheduleSpec,
)
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

from core.schedules import ensure_schedule

with workflow.unsafe.imports_passed_through():
    from activities.credit_check import CheckResultRequest, CreditCheckActivities, UnrectifiedRequest
    from domain.access import SYSTEM_ACTOR, Role, Scope
    from domain.cases import CaseSnapshot, CaseStatus
    from domain.credit_check import (
        PROCESS_KIND,
        PROCESS_LABEL,
        RECTIFIED,
        STEP_LABELS,
        UNRECTIFIED,
        CheckSheetData,
        CreditCheckFacts,
        ItemState,
        ItemStatus,
        RectificationData,
        Step,
        check_case_id,
        item_states,
        month_of,
        opens_at,
        sheet_errors,
        sheet_score,
    )
    from domain.rules import CREDIT_CHECK, CreditCheckRules
    from domain.tasks import Decision, DecisionInput, DecisionRefused, HumanTask, RefusalKind
    from workflows.calendar_periods import calendar_sla, statute_period_end
    from workflows.credit_check_models import CreditCheckInput, CreditMonthInput, CreditMonthResult
    from workflows.human_tasks import CaseWorkflow, DecisionModels

SCHEDULE_ID = "credit-month-opening"
CITY_TIME_ZONE = "Asia/Shanghai"
ACTIVITY_TIMEOUT = timedelta(minutes=5)
ACTIVITY_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))


@workflow.defn(name="CreditMonthlyCheck")
class CreditMonthlyCheckWorkflow(CaseWorkflow):
    """月检查: the sheet, each deficient item's rectification and re-check, bad records for what stays unrectified."""

    kind = PROCESS_KIND
    kind_label = PROCESS_LABEL
    step_labels = STEP_LABELS
    decision_data: ClassVar[DecisionModels] = {
        (Step.CHECK, Decision.SUBMIT): CheckSheetData,
        (Step.RECTIFICATION, Decision.SUBMIT): RectificationData,
    }

    @workflow.init
    def __init__(self, inp: CreditCheckInput) -> None:
        pair = inp.pair
        self.init_case(case_id=inp.case_id, title=f"{inp.month} 月检查 · {pair.street_name} · {pair.company_name}",
                       scope=Scope(street_id=pair.street_id), initiator=inp.initiator, first_step=Step.CHECK)
        self.company_ids = [pair.company_id]
        self._inp = inp
        self._rules = inp.rules
        self._items: dict[str, ItemState] = {}
        self._item_of: dict[str, str] = {}  # task id -> item code
        self._open: list[HumanTask] = []
        self._score: Decimal | None = None
        self._checked_at: datetime | None = None

    @workflow.run
    async def run(self, inp: CreditCheckInput) -> CaseSnapshot:
        return await self.run_process(self._process)

    async def _process(self) -> None:
        inp, rules = self._inp, self._rules
        self.enter_step(Step.CHECK, month=inp.month, company_id=inp.pair.company_id)
        sheet_task = await self.open_task(
            Step.CHECK, [Role.STREET_OFFICE], decisions=[Decision.SUBMIT], sla_working_days=rules.check_working_days,
            escalate_to=[Role.HOUSING_BUREAU], note=f"{inp.month} 月检查：{inp.pair.company_name}（{'、'.join(inp.pair.estates)}）",
        )
        await self.wait_for([sheet_task])
        await self._take_sheet(sheet_task)
        for code, state in self._items.items():
            if state.status == ItemStatus.RECTIFYING:
                await self._open_follow_up(code, state)
        while self._open:
            due = [s.rectify_by for s in self._items.values() if s.status == ItemStatus.RECTIFYING and s.rectify_by is not None]
            done = await self.wait_for(list(self._open), until=min(due) if due else None)
            if done is None:
                await self._deadlines_passed()
                continue
            self._open.remove(done)
            await self._on_decided(done)
        unrectified = sum(1 for s in self._items.values() if s.status == ItemStatus.UNRECTIFIED)
        self.finish(CaseStatus.COMPLETED, Step.CLOSED, "月检查完成" + (f"，{unrectified} 项逾期未整改已记入信用档案" if unrectified else ""))

    async def _take_sheet(self, task: HumanTask) -> None:
        sheet = self.data_of(task, CheckSheetData)
        self._items = item_states(sheet, self._rules)
        score = sheet_score(sheet, self._rules)
        self._score, self._checked_at = score, workflow.now()
        inp = self._inp
        await workflow.execute_activity_method(
            CreditCheckActivities.save_result,
            CheckResultRequest(case_id=self.case_id, month=inp.month, street_id=inp.pair.street_id, company_id=inp.pair.company_id,
                               score=score, items=list(sheet.items), at=workflow.now()),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        deficient = [c for c, s in self._items.items() if s.status == ItemStatus.RECTIFYING]
        self.enter_step(Step.RECTIFICATION if deficient else Step.CHECK, comment=f"检查得分 {score}", score=str(score), deficient=deficient)

    async def _open_follow_up(self, code: str, state: ItemState) -> None:
        """整改: the company's task, due at 24:00 of the period's last day (calendar days, 民法典 Arts. 201, 203)."""
        assert state.rectify_days is not None
        rectify_by = statute_period_end(workflow.now(), self._rules.rectify_day * state.rectify_days)
        state.rectify_by = rectify_by
        task = await self.open_task(Step.RECTIFICATION, [Role.PROPERTY_COMPANY], decisions=[Decision.SUBMIT],
                                    company_id=self._inp.pair.company_id, note=f"{state.label}：{state.finding}")
        calendar_sla(task, rectify_by, self._rules.rectify_remind_before)
        self._item_of[task.id] = code
        self._open.append(task)

    async def _open_recheck(self, code: str) -> None:
        state = self._items[code]
        state.moved(ItemStatus.RECHECKING)
        self.enter_step(Step.RECHECK, item=code)
        task = await self.open_task(
            Step.RECHECK, [Role.STREET_OFFICE], decisions=[RECTIFIED, UNRECTIFIED], sla_working_days=self._rules.recheck_working_days,
            escalate_to=[Role.HOUSING_BUREAU], note=f"复查 {state.label}：{state.finding}" + (f"；企业报告：{state.reported}" if state.reported else ""),
        )
        self._item_of[task.id] = code
        self._open.append(task)

    async def _deadlines_passed(self) -> None:
        """A rectification period ended without a report: its follow-up closes and the street re-checks."""
        now = workflow.now()
        for task in list(self._open):
            state = self._items[self._item_of[task.id]]
            if task.step == Step.RECTIFICATION and state.rectify_by is not None and state.rectify_by <= now:
                self.cancel_task(task, "整改期限届满，转街道复查")
                self._open.remove(task)
                await self._open_recheck(state.item)

    async def _on_decided(self, task: HumanTask) -> None:
        code = self._item_of[task.id]
        state = self._items[code]
        decision = self.decision_of(task)
        if task.step == Step.RECTIFICATION:
            state.reported = self.data_of(task, RectificationData).action
            await self._open_recheck(code)
            return
        if task.outcome == RECTIFIED:
            state.moved(ItemStatus.RECTIFIED, rechecked=decision.comment)
            self.touch()
            return
        record_id = await workflow.execute_activity_method(
            CreditCheckActivities.record_unrectified,
            UnrectifiedRequest(case_id=self.case_id, company_id=self._inp.pair.company_id, item=code,
                               reason=f"{self._inp.month} 月检查「{state.label}」逾期未整改：{state.finding}", evidence=decision.comment,
                               recorded_by=decision.actor.subject, at=workflow.now()),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        state.moved(ItemStatus.UNRECTIFIED, rechecked=decision.comment, credit_record_id=record_id)
        self.record("system", step=Step.RECHECK, task_id=task.id, comment=f"{state.label}逾期未整改，已记入信用档案",
                    data={"item": code, "credit_record_id": record_id})
        self.touch()

    def check_in_context(self, task: HumanTask, decision: DecisionInput, data: BaseModel | None) -> None:
        if isinstance(data, CheckSheetData):
            errors = sheet_errors(data, self._rules)
            if errors:
                raise DecisionRefused(RefusalKind.INVALID, "the check sheet does not fit the rules' items and bounds", errors)
        if decision.decision == UNRECTIFIED and not (decision.comment or "").strip():
            raise DecisionRefused(RefusalKind.INVALID, "复查不合格须在 comment 中写明理由")

    def facts(self) -> CreditCheckFacts:
        pair = self._inp.pair
        return CreditCheckFacts(
            month=self._inp.month, street_id=pair.street_id, street_name=pair.street_name, company_id=pair.company_id,
            company_name=pair.company_name, estates=list(pair.estates), score=self._score,
            checked_at=self._checked_at, items=list(self._items.values()),
        )


@workflow.defn(name="CreditMonth")
class CreditMonthWorkflow:
    """What the monthly schedule runs: on the month's first working day, one check case per street and company, once."""

    @workflow.run
    async def run(self, inp: CreditMonthInput) -> CreditMonthResult:
        month = inp.month or month_of(workflow.now())
        first = await workflow.execute_activity_method(
            CreditCheckActivities.first_working_day, month, start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        opening = opens_at(first, inp.rules)
        if not inp.at_once and opening > workflow.now():
            await workflow.sleep(opening - workflow.now())
        pairs = await workflow.execute_activity_method(
            CreditCheckActivities.pairs, start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        started: list[str] = []
        for pair in pairs:
            case_id = check_case_id(month, pair.street_id, pair.company_id)
            try:
                await workflow.start_child_workflow(
                    CreditMonthlyCheckWorkflow.run,
                    CreditCheckInput(case_id=case_id, month=month, pair=pair, initiator=inp.initiator or SYSTEM_ACTOR, rules=inp.rules),
                    id=case_id, parent_close_policy=ParentClosePolicy.ABANDON, id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                )
            except WorkflowAlreadyStartedError:
                continue
            started.append(case_id)
        return CreditMonthResult(month=month, opens_on=first, checks=len(pairs), started=started)


def credit_month_schedule(task_queue: str, rules: CreditCheckRules = CREDIT_CHECK) -> Schedule:
    """On the first day of every month at ``schedule_hour`` city time (the run waits for the first working day)."""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            CreditMonthWorkflow.run, CreditMonthInput(rules=rules), id=SCHEDULE_ID, task_queue=task_queue,
        ),
        spec=ScheduleSpec(
            calendars=[ScheduleCalendarSpec(
                month=[ScheduleRange(1, 12)], day_of_month=[ScheduleRange(1)], hour=[ScheduleRange(rules.schedule_hour)],
            )],
            time_zone_name=CITY_TIME_ZONE,
        ),
    )


async def ensure_credit_month_schedule(client: Client, task_queue: str) -> bool:
    """Create the monthly schedule, or bring the existing one in line; True when it was created."""
    return await ensure_schedule(client, SCHEDULE_ID, credit_month_schedule(task_queue))
