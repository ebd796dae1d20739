"""新旧物业衔接: the handover from the outgoing to the incoming company, as rules without I/O."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field

from domain.calendar import CITY_TZ, calendar_deadline, counts_in_days, last_day, period_end
from domain.rules import HANDOVER, HandoverRules
from domain.tender import ExitReason

PROCESS_KIND = "handover"
PROCESS_LABEL = "新旧物业交接"


class Step(StrEnum):
    NOTICE = "notice"
    EXIT = "exit"
    ITEM_CHECK = "item_check"
    REMEDY = "remedy"
    INSPECTION = "inspection"
    ESCALATION = "escalation"
    JOINT_MEETING = "joint_meeting"
    CORRECTION_ORDER = "correction_order"
    EMERGENCY_APPOINTMENT = "emergency_appointment"
    FOLLOW_UP_TENDER = "follow_up_tender"
    CLOSED = "closed"


STEP_LABELS: dict[str, str] = {
    Step.NOTICE: "通知原物业",
    Step.EXIT: "原物业退出移交",
    Step.ITEM_CHECK: "交接清单逐项确认",
    Step.REMEDY: "原物业补交整改",
    Step.INSPECTION: "承接查验",
    Step.ESCALATION: "拒不移交处置",
    Step.JOINT_MEETING: "物业管理联席会议",
    Step.CORRECTION_ORDER: "责令限期改正",
    Step.EMERGENCY_APPOINTMENT: "确定应急物业",
    Step.FOLLOW_UP_TENDER: "启动重新选聘",
    Step.CLOSED: "结案",
}

# Decisions of this process beyond the shared ones, with their labels.
REFUSE = "refuse"
DISPUTE = "dispute"
CONVENE = "convene"
APPOINT = "appoint"
DECISION_LABELS = {REFUSE: "拒绝移交", DISPUTE: "有异议", CONVENE: "召开联席会议", APPOINT: "指定应急物业"}


class HandoverItem(BaseModel):
    code: str
    label: str


# What the outgoing company hands over (民法典 Art. 949; 物业管理条例 Art. 29; 潍坊 Art. 50 [P]).
CHECKLIST: tuple[HandoverItem, ...] = (
    HandoverItem(code="premises", label="物业服务用房"),
    HandoverItem(code="facilities", label="共用部位及共用设施设备"),
    HandoverItem(code="keys", label="钥匙及门禁卡"),
    HandoverItem(code="as_built_drawings", label="竣工总平面图及竣工验收资料"),
    HandoverItem(code="equipment_files", label="设施设备安装、使用和维护技术资料"),
    HandoverItem(code="warranty_documents", label="质量保修文件和使用说明文件"),
    HandoverItem(code="owner_register", label="业主名册"),
    HandoverItem(code="fee_and_fund_records", label="物业费及专项维修资金收支记录"),
)


class Defect(BaseModel):
    """A defect the incoming company records in its inspection (承接查验)."""

    location: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=2000)


class InspectionData(BaseModel):
    """承接查验: the defects found (an empty list when none)."""

    defects: list[Defect] = Field(default_factory=list, max_length=500)


class RemedyData(BaseModel):
    """What the outgoing party did about a disputed item."""

    action: str = Field(min_length=1, max_length=2000)


class JointMeetingData(BaseModel):
    """联席会议: its minutes, and whether the estate is left with no company (失管)."""

    minutes: str = Field(min_length=1, max_length=4000)
    estate_without_company: bool = False


class CorrectionOrderData(BaseModel):
    """责令限期改正 by the housing bureau (物业管理条例 Art. 58)."""

    order_no: str = Field(min_length=1, max_length=100)


class EmergencyAppointmentData(BaseModel):
    """应急物业服务人 appointed by the street for at most 6 months (潍坊 Art. 51)."""

    company_id: str = Field(min_length=1, max_length=64)
    months: int = Field(ge=1)
    services: str = Field(min_length=1, max_length=2000, examples=["供电、供水、垃圾清运、电梯运行"])


class FollowUpTenderData(BaseModel):
    """The case that selects the next company (a new tender)."""

    tender_case_id: str = Field(min_length=1, max_length=128)


def notice_period(reason: ExitReason | None, agreed_notice_days: int | None = None, rules: HandoverRules = HANDOVER) -> timedelta:
    """The written notice the contract's end owes, by who ends it (民法典 Arts. 946–947).

    The owners dismiss the company: 60 days, unless the contract says otherwise (Art. 946). The
    company declines to renew: its 90 days, unless agreed (Art. 947). The owners decide not to
    renew, or the developer hands over: no notice beyond the contract.
    """
    if reason == ExitReason.DISMISSAL:
        return timedelta(days=agreed_notice_days) if agreed_notice_days else rules.dismissal_notice
    if reason == ExitReason.COMPANY_DECLINES:
        return timedelta(days=agreed_notice_days) if agreed_notice_days else rules.company_declines_notice
    return timedelta(0)


def exit_periods_before_reasons(reason: ExitReason | None, agreed_exit_days: int | None, rules: HandoverRules = HANDOVER) -> tuple[timedelta, timedelta]:
    """(notice, notice + exit period) as cases started before ``handover-exit-reasons`` count them: a
    non-renewal by the owners took 90 days' notice, and no contract overrode a notice period."""
    if reason == ExitReason.DISMISSAL:
        notice = rules.dismissal_notice
    elif reason is not None:
        notice = rules.non_renewal_notice
    else:
        notice = timedelta(0)
    period = timedelta(days=agreed_exit_days) if agreed_exit_days else rules.default_exit_period
    return notice, notice + period


def contract_end(notified_at: datetime, reason: ExitReason | None, *, agreed_notice_days: int | None = None,
                 contract_ends_on: date | None = None, rules: HandoverRules = HANDOVER) -> datetime:
    """When the outgoing company's contract ends: at 24:00 of its term's last day when stated, else when
    the notice owed from ``notified_at`` has run (24:00 of its last day), else at the notification."""
    if contract_ends_on is not None:
        return calendar_deadline(datetime.combine(contract_ends_on, time(12), tzinfo=CITY_TZ), 0)
    notice = notice_period(reason, agreed_notice_days, rules)
    return period_end(notified_at, notice) if notice else notified_at


def exit_deadline(notified_at: datetime, reason: ExitReason | None, *, agreed_exit_days: int | None = None,
                  agreed_notice_days: int | None = None, contract_ends_on: date | None = None,
                  rules: HandoverRules = HANDOVER) -> tuple[datetime, datetime]:
    """(contract end, exit deadline): the exit within the agreed period or 30 days of the contract's end (潍坊
    Art. 50), the days after its last day, to 24:00 city time of the last (民法典 Arts. 201, 203).

    The outgoing company must meet the deadline, so on a rest day it moves to the next working day's
    24:00 (Art. 203 para. 1, ``party_deadline``, on the published calendar in an activity).
    """
    ends = contract_end(notified_at, reason, agreed_notice_days=agreed_notice_days, contract_ends_on=contract_ends_on, rules=rules)
    period = timedelta(days=agreed_exit_days) if agreed_exit_days else rules.default_exit_period
    if not counts_in_days(period):
        return ends, ends + period  # the local demo's minutes
    last = last_day(ends) if ends != notified_at else notified_at.astimezone(CITY_TZ).date()
    return ends, calendar_deadline(datetime.combine(last, time(12), tzinfo=CITY_TZ), period.days)


def add_months(at: datetime, months: int) -> datetime:
    """The same day ``months`` later in city time, or the month's last day (民法典 Art. 202)."""
    local = at.astimezone(CITY_TZ)
    total = local.month - 1 + months
    year, month = local.year + total // 12, total % 12 + 1
    day = local.day
    while True:
        try:
            return local.replace(year=year, month=month, day=day).astimezone(at.tzinfo)
        except ValueError:
            day -= 1
