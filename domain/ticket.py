"""矛盾纠纷工单: the rules of dispute and complaint tickets that do not depend on I/O.

Closure loop (国办发〔2020〕53号 [S]; 潍坊12345条例 Arts. 20–26 [P]): intake → dispatch by the duty
list → accept or return → handle → reply → satisfaction call (回访) → closed (销号); unsatisfied →
re-handling (重办); unsatisfied again → supervision order (督办).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, Field

from domain.access import Role
from domain.read_access import Access
from domain.routing import Unit, UnitKind
from domain.rules import TICKET, TicketRules
from domain.tasks import DecisionRefused, RefusalKind

PROCESS_KIND = "ticket"
PROCESS_LABEL = "矛盾纠纷工单"


class Channel(StrEnum):
    """Where a ticket came in (the seed links 全民城管 with 12345 and petitions)."""

    HOTLINE = "hotline_12345"
    CITY_PLATFORM = "city_platform"
    PETITION = "petition"
    WALK_IN = "walk_in"


CHANNEL_LABELS: dict[str, str] = {
    Channel.HOTLINE: "12345热线",
    Channel.CITY_PLATFORM: "全民城管平台",
    Channel.PETITION: "信访",
    Channel.WALK_IN: "来访/社区物管员",
}


class Step(StrEnum):
    INTAKE = "intake"
    ACCEPTANCE = "acceptance"
    REASSIGNMENT = "reassignment"
    HANDLING = "handling"
    CO_HANDLING = "co_handling"
    EXTENSION = "extension"
    CALLBACK = "callback"
    SUPERVISION = "supervision"
    OVERDUE_SUPERVISION = "overdue_supervision"
    WHISTLE = "whistle"
    WHISTLE_STREET = "whistle_street"
    WHISTLE_JOINT_MEETING = "whistle_joint_meeting"
    CLOSED = "closed"


STEP_LABELS: dict[str, str] = {
    Step.INTAKE: "受理",
    Step.ACCEPTANCE: "签收",
    Step.REASSIGNMENT: "改派",
    Step.HANDLING: "办理",
    Step.CO_HANDLING: "协办",
    Step.EXTENSION: "延期审批",
    Step.CALLBACK: "回访",
    Step.SUPERVISION: "督办",
    Step.OVERDUE_SUPERVISION: "逾期督办",
    Step.WHISTLE: "吹哨报到",
    Step.WHISTLE_STREET: "吹哨升级·镇街",
    Step.WHISTLE_JOINT_MEETING: "吹哨升级·联席会议",
    Step.CLOSED: "销号",
}


class TicketDecision(StrEnum):
    """Decision codes of the ticket process (return, answer, submit, approve and reject are shared)."""

    SIGN = "sign"  # 签收
    RETURN = "return"  # 退回
    ASSIGN = "assign"  # 改派
    ANSWER = "answer"  # 答复 (the unit's reply with its result)
    SUBMIT = "submit"  # 协办意见
    EXTEND = "extend"  # 申请延期
    APPROVE = "approve"
    REJECT = "reject"
    SATISFIED = "satisfied"
    UNSATISFIED = "unsatisfied"
    CLOSE = "close"  # 督办销号
    ORDER = "order"  # 下达督办意见 (an overdue ticket, Art. 26 (2))
    REHANDLE = "rehandle"  # 责令重办
    REPORT = "report"  # 部门报到
    COORDINATE = "coordinate"  # 协调解决
    WHISTLE = "whistle"  # 吹哨 (a custom update, recorded on the timeline)


# Labels of the codes not shared with other processes (merged into domain.tasks.DECISION_LABELS).
DECISION_LABELS: dict[str, str] = {
    TicketDecision.SIGN: "签收",
    TicketDecision.ASSIGN: "改派",
    TicketDecision.EXTEND: "申请延期",
    TicketDecision.SATISFIED: "满意",
    TicketDecision.UNSATISFIED: "不满意",
    TicketDecision.CLOSE: "督办销号",
    TicketDecision.ORDER: "下达督办意见",
    TicketDecision.REHANDLE: "责令重办",
    TicketDecision.REPORT: "报到",
    TicketDecision.COORDINATE: "协调解决",
    TicketDecision.WHISTLE: "吹哨",
}


class Closure(StrEnum):
    """How a ticket ended."""

    SATISFIED = "satisfied"
    SUPERVISOR = "supervisor"
    WITHDRAWN = "withdrawn"


CLOSURE_LABELS: dict[str, str] = {
    Closure.SATISFIED: "满意销号",
    Closure.SUPERVISOR: "督办销号",
    Closure.WITHDRAWN: "已撤回",
}


class CallerContact(BaseModel):
    """The caller's name and phone: personal data (潍坊12345条例 Art. 7), kept in the database only."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=50, examples=["张女士"])
    phone: str = Field(min_length=5, max_length=20, pattern=r"^[0-9+\- ]+$", examples=["13800000000"])


class TicketCreate(BaseModel):
    """Intake of a dispute or complaint (受理)."""

    channel: Channel = Field(examples=["hotline_12345"])
    external_ref: str = Field(
        min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-/.]+$", examples=["12345-20261127-0031"],
        description="the channel's own number; the same number twice creates one ticket",
    )
    category: str = Field(min_length=1, max_length=48, examples=["illegal_construction"])
    estate_id: str = Field(min_length=1, max_length=64, examples=["yidu-jinxiu"])
    description: str = Field(min_length=1, max_length=4000, examples=["3号楼顶楼住户在楼顶私搭彩钢房"])
    contact: CallerContact


class TicketStart(BaseModel):
    """What the workflow gets at intake: never the caller's contact, only where it is kept."""

    channel: Channel
    external_ref: str
    category: str
    estate_id: str
    description: str


# ---------------------------------------------------------------------- decision data


class AssignData(BaseModel):
    """The dispatcher's re-assignment after a return (改派)."""

    lead_unit_id: str = Field(min_length=1, max_length=64)
    co_unit_ids: list[str] = Field(default_factory=list, max_length=5)


class ExtensionData(BaseModel):
    """A request for more time (申请延期), 潍坊12345条例 Art. 20(3)."""

    # The bound is the case's own (TicketRules.max_extension_working_days, in all), checked against
    # the days already granted by ``check_extension``; a static bound here would read today's rules.
    working_days: int = Field(ge=1, strict=True, description="working days asked for; at most the case's remaining extension")
    reason: str = Field(min_length=1, max_length=2000)


class WhistleCreate(BaseModel):
    """社区吹哨: the community summons a department to a ticket it cannot resolve."""

    department_id: str = Field(min_length=1, max_length=64, examples=["dept-enforcement"])
    reason: str = Field(min_length=1, max_length=2000, examples=["违建业主拒不拆除，需执法局到场"])


class CallbackData(BaseModel):
    """The satisfaction call (回访): who answered and what they said."""

    # Whether the call reached the caller; strictly a boolean (``"no"`` is refused, not read as false).
    reached: bool = Field(default=True, strict=True)
    remark: str | None = Field(default=None, max_length=2000)


# ---------------------------------------------------------------------- rules

# Who works tickets and so may read the ledger (台账): intake, dispatch, handling, supervision, whistles,
# oversight (潍坊12345条例 Arts. 22–26, annexes 1–2). Owners and other estate-level users may not.
LEDGER_ROLES = frozenset({
    Role.DISPATCHER, Role.CLERK, Role.STREET_OFFICE, Role.COMMUNITY, Role.PROPERTY_COMPANY, Role.DEPARTMENT,
    Role.JOINT_MEETING, Role.HOUSING_BUREAU, Role.AUDITOR, Role.ADMIN,
})

# How each role reaches tickets, through every route (the case, its timeline, the inbox, the ledger):
# the roles that work tickets by jurisdiction (a company or department: the tickets it handles); the
# joint meeting only those escalated to it; owners, owners' representatives and committees never,
# a complaint is not theirs to read (个人信息保护法 Art. 6); anyone else only a ticket they were given.
TICKET_ACCESS: Mapping[Role, Access] = MappingProxyType({
    **dict.fromkeys(LEDGER_ROLES - {Role.JOINT_MEETING}, Access.JURISDICTION),
    **dict.fromkeys((Role.JOINT_MEETING, Role.EXPERT, Role.BUREAU_SUPERVISOR, Role.PRICING_AGENCY), Access.TASKS),
    **dict.fromkeys((Role.OWNER, Role.OWNER_REP, Role.OWNERS_COMMITTEE), Access.NONE),
})

# Decisions that must say why: what the caller, the unit and the auditor read afterwards.
COMMENT_REQUIRED = frozenset({
    TicketDecision.SUBMIT, TicketDecision.UNSATISFIED, TicketDecision.CLOSE, TicketDecision.REHANDLE,
    TicketDecision.REPORT, TicketDecision.COORDINATE, TicketDecision.ORDER,
})



def check_return_window(now: datetime, window_end: datetime | None, returnable: bool) -> None:
    """A unit returns within its window, and never a ticket the centre re-assigned (潍坊12345条例 Art. 22)."""
    if not returnable:
        raise DecisionRefused(RefusalKind.INVALID, "a re-assigned ticket cannot be returned again (潍坊12345条例 Art. 22)")
    if window_end is not None and now >= window_end:
        raise DecisionRefused(RefusalKind.INVALID, "the 2-working-day return window has passed")


def check_callback(outcome: str, data: CallbackData) -> None:
    """回访 (潍坊12345条例 Art. 25): "satisfied" is the caller's word; a call that did not reach them cannot close the ticket."""
    if outcome == TicketDecision.SATISFIED and not data.reached:
        raise DecisionRefused(
            RefusalKind.INVALID, "the call did not reach the caller: satisfaction cannot be recorded; call again",
            errors=[{"loc": ["data", "reached"], "msg": "未联系上来电人，不能记为满意", "type": "value_error"}],
        )


def check_extension(requested: int, already: int, rules: TicketRules = TICKET) -> None:
    """Extensions add up to at most the configured working days (10, [S] 山东 hotline measures)."""
    if requested < 1 or already + requested > rules.max_extension_working_days:
        left = rules.max_extension_working_days - already
        raise DecisionRefused(RefusalKind.INVALID, f"at most {left} more working day(s) of extension can be granted")


def check_assignment(data: AssignData, units: dict[str, Unit]) -> None:
    """A re-assignment names known units and no unit twice.

    The unit that returned the ticket may be named again: the centre decides a disputed duty and may
    designate the unit directly (直接指定), which then cannot return it (潍坊12345条例 Art. 22 para. 2).
    """
    if units.get(data.lead_unit_id) is None:
        raise DecisionRefused(RefusalKind.INVALID, f"unknown unit {data.lead_unit_id}")
    for uid in data.co_unit_ids:
        if uid not in units or uid == data.lead_unit_id:
            raise DecisionRefused(RefusalKind.INVALID, f"co-handler {uid} is unknown or is the lead unit")
    if len(set(data.co_unit_ids)) != len(data.co_unit_ids):
        raise DecisionRefused(RefusalKind.INVALID, "a co-handler is named twice")


def credit_company(unit: Unit) -> str | None:
    """The property company a bad record is written for, when the unit is one (山东社会信用条例)."""
    return unit.id if unit.kind == UnitKind.COMPANY else None


class TicketLedgerRow(BaseModel):
    """The ticket's line in the ledger (台账), written by its workflow whenever it changes."""

    id: str
    channel: str
    external_ref: str
    category: str
    category_label: str
    title: str
    estate_id: str
    street_id: str
    community_id: str
    company_id: str | None = None
    lead_unit_kind: str | None = None
    lead_unit_id: str | None = None
    lead_unit_name: str | None = None
    unit_ids: list[str] = Field(default_factory=list)
    status: str
    step: str
    card: str = "none"
    overdue: bool = False
    returned: bool = False
    extension_days: int = 0
    whistles: int = 0
    unsatisfied: int = 0
    supervised: bool = False
    closure: str | None = None
    created_at: datetime
    accepted_at: datetime | None = None
    due_at: datetime | None = None
    replied_at: datetime | None = None
    closed_at: datetime | None = None
    version: int = 0
