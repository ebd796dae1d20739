"""新旧物业衔接: the handover from the outgoing to the incoming company, one workflow per case.

Started by the tender as a child workflow once the contract is signed. Notice → the outgoing
company exits and hands over (or refuses) → the incoming company confirms each checklist item or
disputes it, and inspects (承接查验) → done. A refusal or a missed exit deadline escalates: the
street convenes the joint meeting, the bureau orders correction, a bad credit record is written;
an estate left with no company gets an emergency company for at most 6 months, and a timer sees
that a new selection follows (潍坊 Arts. 50–51; 物业管理条例 Art. 58; 民法典 Arts. 946–950).
The case's state and facts are typed (``domain.handover_facts``).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.handover import BadCreditRequest, EstateCompanyRequest, HandoverActivities, TenderRef
    from activities.tender import CompanyCheckRequest, TenderActivities
    from domain.access import Role
    from domain.cases import CaseSnapshot, CaseStatus
    from domain.handover import (
        APPOINT,
        CONVENE,
        DISPUTE,
        PROCESS_KIND,
        PROCESS_LABEL,
        REFUSE,
        STEP_LABELS,
        CorrectionOrderData,
        Defect,
        EmergencyAppointmentData,
        FollowUpTenderData,
        InspectionData,
        JointMeetingData,
        RemedyData,
        Step,
        add_months,
        exit_deadline,
        exit_periods_before_reasons,
        notice_period,
    )
    from domain.handover_facts import (
        EmergencyService,
        Escalation,
        ExitDecision,
        ExitNotice,
        HandoverFacts,
        ItemStatus,
        new_checklist,
    )
    from domain.tasks import DecisionInput, DecisionRefused, HumanTask, RefusalKind
    from domain.tender import EXIT_REASON_LABELS
    from workflows.calendar_periods import calendar_sla, party_end, statute_period_end
    from workflows.handover_models import HandoverInput
    from workflows.human_tasks import CaseWorkflow, DecisionModels
    from workflows.tender_committee import ACTIVITY_RETRY, ACTIVITY_TIMEOUT, D

__all__ = ["HandoverInput", "PropertyHandoverWorkflow"]

# Patch id: the exit reasons told apart (民法典 Arts. 946–947: the owners' dismissal 60 days unless agreed, the
# company's declining 90, the owners' non-renewal none), the exit period counted from the contract's last day
# (潍坊 Art. 50) and moved off a rest day (民法典 Art. 203 para. 1). Cases started before it keep their count.
HANDOVER_EXIT_REASONS = "handover-exit-reasons"


@workflow.defn(name="PropertyHandover")
class PropertyHandoverWorkflow(CaseWorkflow):
    """One handover between property companies, from the notice to the incoming company in place."""

    kind = PROCESS_KIND
    kind_label = PROCESS_LABEL
    step_labels = STEP_LABELS
    decision_data: ClassVar[DecisionModels] = {
        (Step.INSPECTION, D.SUBMIT): InspectionData,
        (Step.REMEDY, D.SUBMIT): RemedyData,
        (Step.JOINT_MEETING, CONVENE): JointMeetingData,
        (Step.CORRECTION_ORDER, D.SUBMIT): CorrectionOrderData,
        (Step.EMERGENCY_APPOINTMENT, APPOINT): EmergencyAppointmentData,
        (Step.FOLLOW_UP_TENDER, D.SUBMIT): FollowUpTenderData,
    }

    @workflow.init
    def __init__(self, inp: HandoverInput) -> None:
        self.init_case(case_id=inp.case_id, title=f"{inp.estate_name} · 新旧物业交接", scope=inp.scope,
                        initiator=inp.initiator, first_step=Step.NOTICE)
        self._inp = inp
        self._rules = inp.rules
        self.company_ids = [c for c in (inp.outgoing_company_id, inp.incoming_company_id) if c]
        self._items = new_checklist()
        self._item_tasks: dict[str, str] = {}  # task id -> item code
        self._tasks_open: list[HumanTask] = []
        self._notice: ExitNotice | None = None
        self._exit: ExitDecision | None = None
        self._defects: list[Defect] | None = None
        self._escalations: list[Escalation] = []
        self._emergency: EmergencyService | None = None

    @workflow.run
    async def run(self, inp: HandoverInput) -> CaseSnapshot:
        return await self.run_process(self._process)

    # ----------------------------------------------------------------- the process

    async def _process(self) -> None:
        inp = self._inp
        if inp.outgoing_company_id is not None:
            self._notice = await self._exit_notice()
            self.enter_step(Step.NOTICE, **self._notice.model_dump(mode="json"))
            await self._open_exit_task()
        else:
            await self._open_checks()
        while True:
            if self._complete():
                break
            exit_by = self._notice.exit_deadline if self._notice else None
            watch_deadline = exit_by is not None and not self._escalated("handover_overdue") and self._outgoing_owes()
            done = await self.wait_for(list(self._tasks_open), until=exit_by if watch_deadline else None)
            if done is None:
                await self._escalate("handover_overdue", "the outgoing company did not exit and hand over by the deadline")
                continue
            self._tasks_open.remove(done)
            if await self._on_decided(done):
                return
        await workflow.execute_activity_method(
            HandoverActivities.set_estate_company, EstateCompanyRequest(estate_id=inp.estate_id, company_id=inp.incoming_company_id),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        self.finish(CaseStatus.COMPLETED, Step.CLOSED, "every item confirmed; the incoming company has taken over")

    async def _exit_notice(self) -> ExitNotice:
        """The notice the contract's end owes (民法典 Arts. 946–947), then the exit period (潍坊 Art. 50), to 24:00 of
        its last day; the outgoing company's deadline moves off a rest day (民法典 Art. 203 para. 1)."""
        inp, now = self._inp, workflow.now()
        if not workflow.patched(HANDOVER_EXIT_REASONS):
            notice, until_exit = exit_periods_before_reasons(inp.reason, inp.agreed_exit_days, self._rules)
            return ExitNotice(notified_at=now, contract_ends=statute_period_end(now, notice),
                              exit_deadline=statute_period_end(now, until_exit))
        ends, exit_by = exit_deadline(now, inp.reason, agreed_exit_days=inp.agreed_exit_days, agreed_notice_days=inp.agreed_notice_days,
                                      contract_ends_on=inp.contract_ends_on, rules=self._rules)
        moved = await party_end(exit_by)
        notice = notice_period(inp.reason, inp.agreed_notice_days, self._rules)
        return ExitNotice(notified_at=now, contract_ends=ends, exit_deadline=moved.end, notice_days=notice.days,
                          exit_deadline_moved=moved.moved, calendar_published=moved.calendar_published)

    def _complete(self) -> bool:
        return self._defects is not None and all(i.status == ItemStatus.CONFIRMED for i in self._items.values())

    def _outgoing_owes(self) -> bool:
        """The outgoing company still has to exit or remedy a disputed item."""
        return any(t.step in (Step.EXIT, Step.REMEDY) and t.is_open for t in self._tasks_open)

    def _escalated(self, cause: str) -> bool:
        return any(e.cause == cause for e in self._escalations)

    async def _open_exit_task(self) -> None:
        inp = self._inp
        self.enter_step(Step.EXIT)
        task = await self.open_task(Step.EXIT, [Role.PROPERTY_COMPANY], decisions=[D.CONFIRM, REFUSE], company_id=inp.outgoing_company_id,
                                    note="退出物业服务区域并移交物业服务用房、设施及资料")
        assert self._notice is not None
        calendar_sla(task, self._notice.exit_deadline, self._rules.remind_before)
        self._tasks_open.append(task)

    async def _open_checks(self) -> None:
        """The incoming company confirms each checklist item and inspects (承接查验)."""
        self.enter_step(Step.ITEM_CHECK)
        for code, item in self._items.items():
            if item.status == ItemStatus.PENDING:
                await self._open_item_task(code)
        task = await self.open_task(Step.INSPECTION, [Role.PROPERTY_COMPANY], decisions=[D.SUBMIT], company_id=self._inp.incoming_company_id,
                                    sla_working_days=self._rules.item_check_working_days, escalate_to=[Role.STREET_OFFICE])
        # 物业管理条例 Art. 28: the incoming company inspects (承接查验) itself; escalation only alerts the street.
        task.personal = True
        self._tasks_open.append(task)

    async def _open_item_task(self, code: str) -> None:
        task = await self.open_task(Step.ITEM_CHECK, [Role.PROPERTY_COMPANY], decisions=[D.CONFIRM, DISPUTE],
                                    company_id=self._inp.incoming_company_id, sla_working_days=self._rules.item_check_working_days,
                                    escalate_to=[Role.STREET_OFFICE], note=f"{code}: {self._items[code].label}")
        task.personal = True  # the incoming company's own confirmation, as for the inspection
        self._item_tasks[task.id] = code
        self._tasks_open.append(task)

    @property
    def _remedy_role(self) -> tuple[Role, str | None]:
        # Without an outgoing company the developer hands over; the clerk records its remedies.
        if self._inp.outgoing_company_id is None:
            return Role.CLERK, None
        return Role.PROPERTY_COMPANY, self._inp.outgoing_company_id

    async def _on_decided(self, task: HumanTask) -> bool:
        """React to one decided task; True when the case has ended another way (emergency service)."""
        decision = self.decision_of(task)
        if task.step == Step.EXIT:
            self._exit = ExitDecision(outcome=task.outcome, at=workflow.now(), comment=decision.comment)
            if task.outcome == REFUSE:
                await self._escalate("handover_refused", f"the outgoing company refused to hand over: {decision.comment}")
            else:
                await self._open_checks()
        elif task.step == Step.ITEM_CHECK:
            code = self._item_tasks[task.id]
            if task.outcome == D.CONFIRM:
                self._items[code].status, self._items[code].at = ItemStatus.CONFIRMED, workflow.now()
            else:
                self._items[code].status, self._items[code].reason = ItemStatus.DISPUTED, decision.comment
                role, company = self._remedy_role
                remedy = await self.open_task(Step.REMEDY, [role], decisions=[D.SUBMIT], company_id=company,
                                              sla_working_days=self._rules.remedy_working_days, note=f"{code}: {decision.comment}")
                self._item_tasks[remedy.id] = code
                self._tasks_open.append(remedy)
        elif task.step == Step.REMEDY:
            code = self._item_tasks[task.id]
            data = self.data_of(task, RemedyData)
            self._items[code].status, self._items[code].remedy = ItemStatus.PENDING, data.action
            await self._open_item_task(code)
        elif task.step == Step.INSPECTION:
            inspection = self.data_of(task, InspectionData)
            self._defects = list(inspection.defects)
        elif task.step == Step.JOINT_MEETING:
            meeting = self.data_of(task, JointMeetingData)
            self._escalations[-1].joint_meeting = meeting
            if meeting.estate_without_company:
                await self._emergency_service()
                return True
            if self._exit is not None and self._exit.outcome == REFUSE and not any(t.step == Step.EXIT for t in self._tasks_open):
                await self._open_exit_task()
        elif task.step == Step.CORRECTION_ORDER:
            order = self.data_of(task, CorrectionOrderData)
            self._escalations[-1].correction_order = order.order_no
        return False

    async def _escalate(self, cause: str, reason: str) -> None:
        """拒不移交: joint meeting by the street, correction order by the bureau, a bad credit record."""
        inp = self._inp
        assert inp.outgoing_company_id is not None
        record_id = await workflow.execute_activity_method(
            HandoverActivities.add_bad_credit,
            BadCreditRequest(case_id=self.case_id, company_id=inp.outgoing_company_id, cause=cause,
                             points=self._rules.refusal_credit_points, reason=reason),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        self._escalations.append(Escalation(cause=cause, reason=reason, at=workflow.now(), credit_record_id=record_id))
        self.enter_step(Step.ESCALATION, comment=reason, cause=cause, credit_record_id=record_id)
        if not any(t.step == Step.JOINT_MEETING for t in self._tasks_open):
            # 潍坊 Art. 50: the committee asks the street's joint meeting (联席会议) to coordinate.
            meeting = await self.open_task(Step.JOINT_MEETING, [Role.STREET_OFFICE], decisions=[CONVENE],
                                           sla_working_days=self._rules.joint_meeting_working_days, escalate_to=[Role.HOUSING_BUREAU])
            self._tasks_open.append(meeting)
        if not any(t.step == Step.CORRECTION_ORDER for t in self._tasks_open):
            # 物业管理条例 Art. 58: the housing bureau orders correction within a time limit.
            order = await self.open_task(Step.CORRECTION_ORDER, [Role.HOUSING_BUREAU], decisions=[D.SUBMIT],
                                         sla_working_days=self._rules.correction_order_working_days, escalate_to=[Role.BUREAU_SUPERVISOR])
            self._tasks_open.append(order)

    async def _emergency_service(self) -> None:
        """失管: the street appoints an emergency company (≤ 6 months) and a new selection must follow."""
        for task in list(self._tasks_open):
            if task.step != Step.CORRECTION_ORDER:
                self.cancel_task(task, "the estate is left without a company; emergency service")
        self.enter_step(Step.EMERGENCY_APPOINTMENT)
        service = await self._appoint_emergency_company()
        self._emergency = service
        if service.company_id not in self.company_ids:
            self.company_ids.append(service.company_id)
        await workflow.execute_activity_method(
            HandoverActivities.set_estate_company, EstateCompanyRequest(estate_id=self._inp.estate_id, company_id=service.company_id),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        service.follow_up_tender = await self._follow_up_selection(service.until)
        self.finish(CaseStatus.COMPLETED, Step.CLOSED, "emergency service in place; a new selection has started")

    async def _appoint_emergency_company(self) -> EmergencyService:
        """The street appoints an eligible company for at most 6 months (潍坊 Art. 51); an ineligible one is asked again."""
        while True:
            task = await self.open_task(Step.EMERGENCY_APPOINTMENT, [Role.STREET_OFFICE], decisions=[APPOINT],
                                        sla_working_days=self._rules.emergency_appointment_working_days, escalate_to=[Role.HOUSING_BUREAU])
            await self.wait_for([task])
            data = self.data_of(task, EmergencyAppointmentData)
            check = await workflow.execute_activity_method(
                TenderActivities.check_company,
                CompanyCheckRequest(company_id=data.company_id, rules=self._inp.tender_rules),
                start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
            )
            if check.refusal is None:
                now = workflow.now()
                return EmergencyService(company_id=data.company_id, company_name=check.company_name, services=data.services,
                                        since=now, until=add_months(now, data.months))
            self.record("system", step=Step.EMERGENCY_APPOINTMENT, comment=check.refusal, data={"company_id": data.company_id})

    async def _follow_up_selection(self, until: datetime) -> str:
        """潍坊 Art. 51: during emergency service the street organises the selection of a new company; its case id."""
        self.enter_step(Step.FOLLOW_UP_TENDER, emergency_until=until.isoformat())
        follow = await self.open_task(Step.FOLLOW_UP_TENDER, [Role.CLERK, Role.STREET_OFFICE], decisions=[D.SUBMIT])
        # A short emergency period can put the lead time in the past: then the task is due now.
        follow_due = max(until - self._rules.tender_follow_up_lead, workflow.now())
        calendar_sla(follow, follow_due, self._rules.remind_before, [Role.HOUSING_BUREAU])
        if await self.wait_for([follow], until=until) is None:
            self.record("timer", step=Step.FOLLOW_UP_TENDER, decision="emergency_period_ended", data={"until": until.isoformat()})
            self.touch()
            await self.wait_for([follow])
        chosen = self.data_of(follow, FollowUpTenderData)
        # The named case must be a tender of this estate; otherwise the task opens again.
        while workflow.patched("handover-verify-follow-up-tender") and not await workflow.execute_activity_method(
            HandoverActivities.follow_up_tender_exists, TenderRef(case_id=chosen.tender_case_id, estate_id=self._inp.estate_id),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        ):
            note = f"{chosen.tender_case_id} is not a tender of this estate"
            self.record("system", step=Step.FOLLOW_UP_TENDER, comment=note, data={"tender_case_id": chosen.tender_case_id})
            follow = await self.open_task(Step.FOLLOW_UP_TENDER, [Role.CLERK, Role.STREET_OFFICE], decisions=[D.SUBMIT], note=note)
            calendar_sla(follow, max(follow_due, workflow.now()), self._rules.remind_before, [Role.HOUSING_BUREAU])
            await self.wait_for([follow])
            chosen = self.data_of(follow, FollowUpTenderData)
        return chosen.tender_case_id

    # ----------------------------------------------------------------- hooks

    def check_in_context(self, task: HumanTask, decision: DecisionInput, data: BaseModel | None) -> None:
        if decision.decision in (REFUSE, DISPUTE) and not (decision.comment or "").strip():
            raise DecisionRefused(RefusalKind.INVALID, f"decision '{decision.decision}' needs a reason in 'comment'")
        if isinstance(data, EmergencyAppointmentData) and data.months > self._rules.emergency_max_months:
            raise DecisionRefused(RefusalKind.INVALID, f"emergency service lasts at most {self._rules.emergency_max_months} months (潍坊 Art. 51)")

    def facts(self) -> HandoverFacts:
        inp = self._inp
        return HandoverFacts(
            tender_case_id=inp.tender_case_id, estate_name=inp.estate_name, incoming_company_id=inp.incoming_company_id,
            outgoing_company_id=inp.outgoing_company_id, reason=inp.reason,
            reason_label=EXIT_REASON_LABELS[inp.reason] if inp.reason else "建设单位移交", agreed_exit_days=inp.agreed_exit_days,
            checklist=dict(self._items), rules=self._rules, notice=self._notice, exit=self._exit,
            defects=list(self._defects) if self._defects is not None else None, escalations=list(self._escalations),
            emergency_service=self._emergency,
        )
